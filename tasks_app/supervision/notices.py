"""督办单 (formal supervision notices): issued, answered (反馈), accepted or sent back.

One notice per task may be open or answered at a time (a database constraint); it
carries a response deadline NOTICE_RESPONSE_WORKING_DAYS working days after it is
issued (or sent back). An unanswered notice is a reminder item on the ladder
(tasks_app/reminders/response_items.py), never a reason for another notice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.inbox.audience import supervisor_ids
from tasks_app.inbox.notify import task_notify, task_params
from tasks_app.models import Attachment, SupervisionNotice, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.step_notices import leads_and_owner
from tasks_app.workflow.services.task_writes import history_record, now, task_lock, today
from tasks_app.workflow.workdays import add_working_days

TEXT_MAX_CHARS = 5000
Status = SupervisionNotice.Status


class NoticeOpen(Conflict):
    default_detail = gettext_lazy("该任务已有未办结的督办单。")
    default_code = "notice_open"


class NoticeState(Conflict):
    default_detail = gettext_lazy("督办单当前状态不允许此操作。")
    default_code = "notice_state"


def response_working_days() -> int:
    return int(settings.PLANTRACKER.get("NOTICE_RESPONSE_WORKING_DAYS", 5))


def respond_by_from(day: dt.date) -> dt.date:
    return add_working_days(day, response_working_days())


def notice_issued_notify(*, task: Task, notice: SupervisionNotice, actor: User | None) -> None:
    """The department's leads and the owner must answer it."""
    task_notify(
        task=task,
        kind="supervision_notice",
        params=task_params(task, actor, reason=notice.reason, respond_by=notice.respond_by),
        recipient_ids=leads_and_owner(task),
        payload={"supervision_notice": notice.pk, "kind": notice.kind},
    )


def notice_open_create(*, task: Task, actor: User | None, reason: str) -> SupervisionNotice:
    """A new open notice (the caller holds the task's lock); 409 if one is open."""
    if SupervisionNotice.objects.filter(
        task=task, kind="notice", status__in=[Status.OPEN, Status.ANSWERED]
    ).exists():
        raise NoticeOpen()
    try:
        with transaction.atomic():
            return SupervisionNotice.objects.create(
                task=task,
                department_id=task.lead_department_id,
                issued_by=actor,
                kind="notice",
                reason=reason,
                status=Status.OPEN,
                respond_by=respond_by_from(today()),
            )
    except IntegrityError as exc:  # issued concurrently by the ladder
        raise NoticeOpen() from exc


def _clean(value: str, field: str, limit: int = TEXT_MAX_CHARS) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [_("请填写内容。")]}, code="required")
    if len(value) > limit:
        raise ValidationError({field: [_("内容过长。")]}, code="max_length")
    return value


def _evidence(task: Task, attachment_ids: list[int]) -> list[int]:
    ids = sorted(set(attachment_ids))
    found = set(Attachment.objects.filter(task=task, pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationError(
            {"attachments": [_("佐证材料须是该任务已上传的文件。")]}, code="invalid"
        )
    return ids


def _locked_notice(notice: SupervisionNotice) -> tuple[Task, SupervisionNotice]:
    task = task_lock(task=notice.task_id)
    return task, SupervisionNotice.objects.select_for_update().get(pk=notice.pk)


@transaction.atomic
def notice_answer(
    *, notice: SupervisionNotice, actor: User, text: str, attachment_ids: list[int] | None = None
) -> SupervisionNotice:
    """The lead department answers (反馈) an open notice with text and evidence."""
    task, locked = _locked_notice(notice)
    rels = workflow.relations(actor, task)
    if not rels & workflow.LEAD_DEPARTMENT:
        raise PermissionDenied(_("只有牵头部门可以反馈督办单。"))
    if locked.kind != "notice" or locked.status != Status.OPEN:
        raise NoticeState()
    locked.answer = _clean(text, "text")
    locked.answer_attachments = _evidence(task, attachment_ids or [])
    locked.status, locked.answered_by, locked.answered_at = Status.ANSWERED, actor, now()
    locked.save()
    history_record(
        task=task,
        actor=actor,
        action="notice_answer",
        field="supervision_notice",
        to_value={"notice_id": locked.pk, "attachments": locked.answer_attachments},
        reason=locked.answer,
    )
    task_notify(
        task=task,
        kind="notice_answered",
        params=task_params(task, actor, text=locked.answer),
        recipient_ids=supervisor_ids(),
        actor=actor,
        payload={"supervision_notice": locked.pk},
    )
    return locked


@transaction.atomic
def notice_review(
    *, notice: SupervisionNotice, actor: User, accept: bool, comment: str = ""
) -> SupervisionNotice:
    """The supervision office accepts the answer (closed) or sends it back (open again,
    with a new response deadline and the comment)."""
    task, locked = _locked_notice(notice)
    if workflow.Relation.SUPERVISOR not in workflow.relations(actor, task):
        raise PermissionDenied(_("只有督查室可以审核督办单反馈。"))
    if locked.kind != "notice" or locked.status != Status.ANSWERED:
        raise NoticeState()
    comment = (comment or "").strip()
    if not accept:
        comment = _clean(comment, "comment", 2000)
    locked.review_comment = comment[:2000]
    if accept:
        locked.status, locked.closed_by, locked.closed_at = Status.CLOSED, actor, now()
    else:
        locked.status, locked.respond_by = Status.OPEN, respond_by_from(today())
    locked.save()
    history_record(
        task=task,
        actor=actor,
        action="notice_accept" if accept else "notice_send_back",
        field="supervision_notice",
        to_value={"notice_id": locked.pk, "status": locked.status},
        reason=comment,
    )
    task_notify(
        task=task,
        kind="notice_accepted" if accept else "notice_sent_back",
        params=task_params(task, actor, comment=comment, respond_by=locked.respond_by),
        recipient_ids=leads_and_owner(task),
        actor=actor,
        payload={"supervision_notice": locked.pk},
    )
    return locked
