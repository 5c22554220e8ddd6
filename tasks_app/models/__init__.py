"""tasks_app models: organisation, plan structure, tasks and the workflow records."""

from .api_support import IdempotencyRecord, Tombstone
from .org import Department, IssuingBody, Membership, Role, User, default_issuing_body_id
from .plan import (
    Acknowledgement,
    Chapter,
    KeyResult,
    Measure,
    Milestone,
    Plan,
    PlanKind,
    PlanStatus,
    Task,
    TaskStatus,
)
from .plan_draft import PlanDraft
from .plan_import import PlanImport
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
    "Acknowledgement",
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
    "IssuingBody",
    "KeyResult",
    "LeaderInstruction",
    "Measure",
    "Membership",
    "Milestone",
    "Notification",
    "Plan",
    "PlanDraft",
    "PlanImport",
    "PlanKind",
    "PlanStatus",
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
    "default_issuing_body_id",
]
