"""tasks_app models: organisation, plan structure, tasks and the workflow records."""

from .api_support import IdempotencyRecord, Tombstone
from .mobile import NotificationSettings, PushDevice, PushPlatform
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
    TaskSource,
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
from .report_drafts import ReportDraft
from .rollups import Rollup, RollupJob, RollupLevel, RollupRow, RollupTaskState
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
    "NotificationSettings",
    "Plan",
    "PlanDraft",
    "PlanImport",
    "PlanKind",
    "PlanStatus",
    "ProgressReport",
    "ProgressReportValue",
    "PushDevice",
    "PushPlatform",
    "ReminderDispatch",
    "ReminderEscalation",
    "ReminderLevel",
    "ReminderRun",
    "ReportDraft",
    "Role",
    "Rollup",
    "RollupJob",
    "RollupLevel",
    "RollupRow",
    "RollupTaskState",
    "SupervisionNotice",
    "Task",
    "TaskSource",
    "TaskStatus",
    "Tombstone",
    "User",
    "default_issuing_body_id",
]
