"""tasks_app models: organisation, plan structure, tasks and the workflow records."""

from .api_support import IdempotencyRecord, Tombstone
from .org import Department, Membership, Role, User
from .plan import Chapter, KeyResult, Measure, Milestone, Plan, Task, TaskStatus
from .reminders import (
    Channel,
    Delivery,
    DeliveryStatus,
    ReminderDispatch,
    ReminderEscalation,
    ReminderLevel,
    ReminderRun,
)
from .rollups import Rollup, RollupJob, RollupLevel, RollupRow
from .workflow import (
    Attachment,
    Comment,
    ExtensionRequest,
    HistoryEvent,
    LeaderInstruction,
    Notification,
    ProgressReport,
    ProgressReportValue,
    SupervisionNotice,
)

__all__ = [
    "Attachment",
    "Channel",
    "Chapter",
    "Comment",
    "Delivery",
    "DeliveryStatus",
    "Department",
    "ExtensionRequest",
    "HistoryEvent",
    "IdempotencyRecord",
    "KeyResult",
    "LeaderInstruction",
    "Measure",
    "Membership",
    "Milestone",
    "Notification",
    "Plan",
    "ProgressReport",
    "ProgressReportValue",
    "ReminderDispatch",
    "ReminderEscalation",
    "ReminderLevel",
    "ReminderRun",
    "Role",
    "Rollup",
    "RollupJob",
    "RollupLevel",
    "RollupRow",
    "SupervisionNotice",
    "Task",
    "TaskStatus",
    "Tombstone",
    "User",
]
