"""What stands out in a task's timeline: leader instructions (领导批示) and the lead
department's responses. The API marks their history events `prominent`; the console shows
them highlighted and in their own block at the top of the task page."""

from __future__ import annotations

from django.db.models import QuerySet

from tasks_app.models import LeaderInstruction, Task

PROMINENT_HISTORY_ACTIONS = frozenset({"leader_instruction", "instruction_response"})


def is_prominent(action: str) -> bool:
    return action in PROMINENT_HISTORY_ACTIONS


def task_instructions(task: Task) -> QuerySet[LeaderInstruction]:
    """The task's instructions, newest first, with their authors and responders."""
    return LeaderInstruction.objects.filter(task=task).select_related("author", "responded_by")
