"""Admin edits of a task are recorded in its history like API edits (who, field, from → to).

Mixed into TaskAdmin: save_related runs after the task, its many-to-many fields and its
inlines are saved, inside the admin's transaction; it writes one history row per change
and bumps the task's version (API clients holding an old ETag then get 412).
"""

from __future__ import annotations

from typing import Any

from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from tasks_app.models import HistoryEvent
from tasks_app.workflow.services.task_admin import FieldChange, task_admin_changes_record


def _form_changes(form: ModelForm) -> list[FieldChange]:
    return [
        FieldChange("admin_update", name, form.initial.get(name), form.cleaned_data.get(name))
        for name in form.changed_data
    ]


def _formset_changes(formset: BaseFormSet) -> list[FieldChange]:
    model = formset.model
    if model is HistoryEvent:
        return []
    name = model._meta.model_name
    changes = [
        FieldChange(f"admin_{name}_add", f"{name}:{obj.pk}", None, str(obj))
        for obj in getattr(formset, "new_objects", [])
    ]
    changes += [
        FieldChange(f"admin_{name}_change", f"{name}:{obj.pk}", None, sorted(fields))
        for obj, fields in getattr(formset, "changed_objects", [])
    ]
    changes += [
        FieldChange(f"admin_{name}_delete", f"{name}:{obj.pk}", str(obj), None)
        for obj in getattr(formset, "deleted_objects", [])
    ]
    return changes


class TaskHistoryAdminMixin:
    """For TaskAdmin (a ModelAdmin of Task)."""

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        changes = _form_changes(form) if change else []
        for formset in formsets:
            changes += _formset_changes(formset)
        task_admin_changes_record(
            task=form.instance, actor=request.user, changes=changes, created=not change
        )
