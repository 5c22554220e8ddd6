"""comment_create: a remark on a task by anyone allowed to comment (see workflow)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from plantracker.errors import ValidationError
from tasks_app.models import Comment, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.task_writes import history_record, require

COMMENT_MAX_CHARS = 5000


@transaction.atomic
def comment_create(*, task: Task, actor: User, body: str) -> Comment:
    """Add a comment; history records that (not what) someone commented."""
    require(actor=actor, task=task, capability=workflow.Capability.COMMENT)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("评论内容不能为空。")]}, code="blank")
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError({"body": [_("评论内容过长。")]}, code="max_length")
    comment = Comment.objects.create(task=task, author=actor, body=body)
    history_record(task=task, actor=actor, action="comment", to_value=comment.pk)
    return comment
