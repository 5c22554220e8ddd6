"""Forms of the console: board filters, urge / 督办单, extension decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from plantracker.console.selectors import BoardFilters
from tasks_app.supervision.urge import COMMENT_MAX_CHARS
from tasks_app.workflow.flags import RED, YELLOW

DEFAULT_URGE_COMMENT = _("请加快推进，按时报送进展情况。")


class BoardFilterForm(forms.Form):
    chapter = forms.TypedChoiceField(label=_("章节"), required=False, coerce=int, empty_value=None)
    # The board groups by lead department, so this picks a group.
    department = forms.TypedChoiceField(
        label=_("牵头部门"), required=False, coerce=int, empty_value=None
    )
    flag = forms.ChoiceField(
        label=_("灯色"),
        required=False,
        choices=[("", _("红灯和黄灯")), (RED, _("红灯")), (YELLOW, _("黄灯"))],
    )

    def __init__(self, *args, chapters=(), departments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chapter"].choices = [("", _("全部章节"))] + [
            (c.pk, f"{c.plan.year} {c}") for c in chapters
        ]
        self.fields["department"].choices = [("", _("全部部门"))] + [
            (d.pk, d.name) for d in departments
        ]

    def filters(self) -> BoardFilters:
        """The chosen filters; invalid input counts as no filter."""
        if not self.is_valid():
            return BoardFilters()
        data = self.cleaned_data
        return BoardFilters(data["chapter"], data["department"], data["flag"] or None)


class UrgeForm(forms.Form):
    """催办 (kind=urge) or 督办单 (kind=notice), with the reason the recipients will read."""

    kind = forms.ChoiceField(choices=[("urge", _("催办")), ("notice", _("督办单"))])
    comment = forms.CharField(label=_("事由"), max_length=COMMENT_MAX_CHARS, strip=True)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    comment = forms.CharField(label=_("审批意见"), max_length=2000, required=False, strip=True)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
