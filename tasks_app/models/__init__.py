"""tasks_app models: organisation, plan structure, tasks and the workflow records."""

from .api_support import IdempotencyRecord, Tombstone
from .org import Department, Membership, Role, User
from .plan import Chapter, KeyResult, Measure, Milestone, Plan, Task, TaskStatus
from .workflow import (
    Attachment,
    Comment,
    ExtensionRequest,
    HistoryEvent,
    Notification,
    ProgressReport,
    ProgressReportValue,
    SupervisionNotice,
)

__all__ = [
    "Attachment",
    "Chapter",
    "Comment",
    "Department",
    "ExtensionRequest",
    "HistoryEvent",
    "IdempotencyRecord",
    "KeyResult",
    "Measure",
    "Membership",
    "Milestone",
    "Notification",
    "Plan",
    "ProgressReport",
    "ProgressReportValue",
    "Role",
    "SupervisionNotice",
    "Task",
    "TaskStatus",
    "Tombstone",
    "User",
]
