"""task_update: PATCH of a task's assignment (owner, title, co-departments) and due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from plantracker.errors import PermissionDenied, ValidationError
from tasks_app.models import Department, Membership, Milestone, Task, User
from tasks_app.supervision.acknowledgement import (
    ACKNOWLEDGE_FIELDS,
    task_reassigned,
    task_reassigned_notify,
)
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.task_writes import (
    TaskClosed,
    history_record,
    now,
    task_bump,
    task_lock,
)


def _check_fields(actor: User, task: Task, changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(workflow.PATCH_FIELDS))
    if unknown:
        raise ValidationError(
            {name: [_("该字段不能通过此接口修改。")] for name in unknown}, code="read_only"
        )
    rels = workflow.relations(actor, task)
    if not any(workflow.has_capability(rels, cap) for cap in workflow.PATCH_FIELDS.values()):
        raise PermissionDenied(_("您无权修改该任务。"))
    denied = [f for f in changes if not workflow.has_capability(rels, workflow.PATCH_FIELDS[f])]
    if denied:
        raise ValidationError(
            {name: [_("您的角色不能修改该字段。")] for name in denied}, code="not_allowed_for_role"
        )
    if task.status in workflow.CLOSED_STATUSES:
        raise TaskClosed()


def _validate(task: Task, changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    lead = changes.get("lead_department") or task.lead_department
    if "lead_department" in changes:
        errors.update(_lead_errors(task, changes.get("lead_department")))
    owner = changes.get("owner")
    if (
        owner is not None
        and not Membership.objects.filter(user=owner, department_id=lead.pk).exists()
    ):
        errors["owner"] = [_("责任人必须是牵头部门的成员。")]
    if "title" in changes and not str(changes["title"]).strip():
        errors["title"] = [_("标题不能为空。")]
    co = changes.get("co_departments") or []
    if "lead_department" in changes and "co_departments" not in changes:
        if task.co_departments.filter(pk=lead.pk).exists():
            errors["lead_department"] = [_("牵头部门不能是配合部门。")]
    if any(d.pk == lead.pk for d in co):
        errors["co_departments"] = [_("配合部门不能包含牵头部门。")]
    elif any(not d.is_active for d in co):
        errors["co_departments"] = [_("配合部门已停用。")]
    due = changes.get("due_date")
    if "due_date" in changes and not _due_date_ok(task, due):
        errors["due_date"] = [
            _("完成时限须在%(year)s年内且不早于开始日期。") % {"year": task.plan.year}
        ]
    if errors:
        raise ValidationError(errors, code="invalid")


def _lead_errors(task: Task, lead: Department | None) -> dict[str, list[str]]:
    """A new lead department: active, of the plan's issuing body."""
    if lead is None or not lead.is_active or lead.body_id != task.plan.body_id:
        return {"lead_department": [_("牵头部门须为本发文单位的在用部门。")]}
    return {}


def _due_date_ok(task: Task, due: dt.date | None) -> bool:
    return due is not None and due.year == task.plan.year and due >= task.start_date


def _move_due_date(task: Task, new_due: dt.date) -> None:
    """The final milestone carries the deadline; earlier open ones may not pass it."""
    stamp = now()
    Milestone.objects.filter(task=task, is_final=True).update(due_date=new_due, updated_at=stamp)
    # A checkpoint later than the new deadline would be meaningless: pull it in.
    Milestone.objects.filter(task=task, is_final=False, due_date__gt=new_due).update(
        due_date=new_due, updated_at=stamp
    )


def _reassign(task: Task, actor: User, changes: dict[str, Any]) -> None:
    """重新交办: the new lead department starts at 未签收; an owner who is not one of its
    members (and not named in the same request) is cleared, with history."""
    old = task.lead_department
    task.lead_department = changes["lead_department"]
    history_record(
        task=task,
        actor=actor,
        action="update",
        field="lead_department",
        from_value=old,
        to_value=task.lead_department,
    )
    if task.owner_id and "owner" not in changes:
        member = Membership.objects.filter(user_id=task.owner_id, department=task.lead_department)
        if not member.exists():
            changes["owner"] = None
    task_reassigned(task=task, actor=actor, old_state=task.acknowledgement)


@transaction.atomic
def task_update(
    *, task: Task, actor: User, changes: dict[str, Any], if_match: str | None = None
) -> Task:
    """Apply `changes` ({field: parsed value}) with one history row per changed field.

    owner: a User of the lead department or None; title: str; co_departments: a list of
    Departments; due_date: a date in the plan year (supervisors only; the original date
    stays in `original_due_date` and in history); lead_department: an active Department of
    the plan's body (supervisors only: 重新交办, the task back at 未签收).
    """
    changes = dict(changes)
    locked = task_lock(task=task, if_match=if_match)
    _check_fields(actor, locked, changes)
    _validate(locked, changes)
    changed: list[str] = []
    if "lead_department" in changes and changes["lead_department"] != locked.lead_department:
        _reassign(locked, actor, changes)
        changed += ["lead_department", *ACKNOWLEDGE_FIELDS]
    for name in ("owner", "title", "due_date"):
        if name in changes and getattr(locked, name) != changes[name]:
            old = getattr(locked, name)
            setattr(locked, name, changes[name])
            changed.append(name)
            history_record(
                task=locked,
                actor=actor,
                action="update",
                field=name,
                from_value=old,
                to_value=changes[name],
            )
    if "due_date" in changed:
        _move_due_date(locked, locked.due_date)
    if "co_departments" in changes:
        before = set(locked.co_departments.values_list("pk", flat=True))
        after = {d.pk for d in changes["co_departments"]}
        if before != after:
            locked.co_departments.set(Department.objects.filter(pk__in=after))
            history_record(
                task=locked,
                actor=actor,
                action="update",
                field="co_departments",
                from_value=before,
                to_value=after,
            )
            changed.append("co_departments")
    if changed:
        task_bump(locked, [f for f in changed if f != "co_departments"])
    if "lead_department" in changed:
        task_reassigned_notify(task=locked, actor=actor)
    return locked
