"""Closed value sets the API renders, declared as enums in the served schema.

The database keeps these as plain strings (history is append-only and written by many
services); the API names every value a client may meet so generated clients get real
enums (ENUM_NAME_OVERRIDES in settings). A service that records a new action or
notification kind adds it here: tests validate every response against the schema, so a
missing value fails the test that exercises it.
"""

from __future__ import annotations

from django.db import models

from tasks_app.models import Channel
from tasks_app.models import PushPlatform as _PushPlatform


class HistoryAction(models.TextChoices):
    # transitions (tasks_app.workflow.rules.TRANSITION_ACTIONS)
    START = "start"
    SUBMIT = "submit"
    CLAIM_NO_EVIDENCE = "claim_no_evidence"  # the claim's stated reason for no evidence
    APPROVE = "approve"
    RETURN = "return"
    SUSPEND = "suspend"
    RESUME = "resume"
    CANCEL = "cancel"
    # API writes
    UPDATE = "update"
    REPORT = "report"
    REPORT_PART = "report_part"
    REPORT_DRAFT_SUBMIT = "report_draft_submit"  # a staff draft filed by the lead
    ATTACHMENT = "attachment"
    COMMENT = "comment"
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_APPROVE = "extension_approve"
    EXTENSION_REJECT = "extension_reject"
    MILESTONE_ADD = "milestone_add"
    MILESTONE_COMPLETE = "milestone_complete"
    URGE = "urge"
    NOTICE = "notice"
    # the reminder run's 督办单, and the 督办单's answer and review (supervision loop)
    SUPERVISION_NOTICE = "supervision_notice"
    NOTICE_ANSWER = "notice_answer"
    NOTICE_ACCEPT = "notice_accept"
    NOTICE_SEND_BACK = "notice_send_back"
    EXTENSION_WITHDRAW = "extension_withdraw"
    # leader instructions (领导批示)
    LEADER_INSTRUCTION = "leader_instruction"
    INSTRUCTION_RESPONSE = "instruction_response"
    # 交办 / 签收 / 退回 (tasks_app.supervision.acknowledgement)
    ASSIGN = "assign"
    ACKNOWLEDGE = "acknowledge"
    RETURN_ASSIGNMENT = "return_assignment"
    # supervision items from other sources (tasks_app.supervision.items)
    ITEM_CREATE = "item_create"
    ITEM_FROM_INSTRUCTION = "item_from_instruction"
    # the plan import
    IMPORTED = "imported"
    IMPORT_UPDATE = "import_update"
    IMPORT_MILESTONE = "import_milestone"
    IMPORT_KEY_RESULT = "import_key_result"
    IMPORT_WITHDRAW = "import_withdraw"
    IMPORT_RESTORE = "import_restore"
    # the year rollover (结转)
    CARRIED_OVER = "carried_over"
    CARRIED_FROM = "carried_from"
    # Django admin (tasks_app.workflow.admin_history: the task form and its inlines)
    ADMIN_CREATE = "admin_create"
    ADMIN_UPDATE = "admin_update"
    ADMIN_MILESTONE_ADD = "admin_milestone_add"
    ADMIN_MILESTONE_CHANGE = "admin_milestone_change"
    ADMIN_MILESTONE_DELETE = "admin_milestone_delete"
    ADMIN_KEYRESULT_ADD = "admin_keyresult_add"
    ADMIN_KEYRESULT_CHANGE = "admin_keyresult_change"
    ADMIN_KEYRESULT_DELETE = "admin_keyresult_delete"


class NotificationKind(models.TextChoices):
    """Every kind a notification is stored with (tasks_app.inbox.messages.TEMPLATES renders
    the per-step ones; a test holds the two lists together)."""

    REMINDER_DIGEST = "reminder_digest"
    URGE = "urge"
    SUPERVISION_NOTICE = "supervision_notice"
    EXTENSION_DECISION = "extension_decision"
    CLAIM_SUBMITTED = "claim_submitted"
    CLAIM_RETURNED = "claim_returned"
    CLAIM_APPROVED = "claim_approved"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REJECTED = "extension_rejected"
    EXTENSION_WITHDRAWN = "extension_withdrawn"
    NOTICE_ANSWERED = "notice_answered"
    NOTICE_ACCEPTED = "notice_accepted"
    NOTICE_SENT_BACK = "notice_sent_back"
    LEADER_INSTRUCTION = "leader_instruction"
    INSTRUCTION_ANSWERED = "instruction_answered"
    PLAN_ASSIGNED = "plan_assigned"  # 交办: a published plan's tasks for a department
    TASK_ASSIGNED = "task_assigned"  # 交办 of one task to a new lead department
    ASSIGNMENT_RETURNED = "assignment_returned"  # 退回: to the supervision office
    REPORT_FILED = "report_filed"  # a progress report, to those who share the task
    REPORT_FILED_RED = "report_filed_red"  # the template of report_filed with a red reason


# The external channels a notification goes out on (the inbox is always on).
NotificationChannel = Channel

# Where a push device runs.
PushPlatform = _PushPlatform
