"""Routes of the task workflow: tasks, nested resources, transitions, supervision."""

from django.urls import path

from tasks_app.api import acknowledgement_views as acknowledgement
from tasks_app.api import instructions_views as instructions
from tasks_app.api import items_views as items
from tasks_app.api import notices_views as notices
from tasks_app.api import report_drafts_views as drafts
from tasks_app.api import tasks_extension_views as ext
from tasks_app.api import tasks_nested_views as nested
from tasks_app.api import tasks_views as tasks

urlpatterns = [
    path("tasks/", tasks.TaskListView.as_view(), name="task-list"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task-detail"),
    path(
        "tasks/<int:pk>/transitions/",
        tasks.TaskTransitionView.as_view(),
        name="task-transitions",
    ),
    path("tasks/<int:pk>/urge/", tasks.TaskUrgeView.as_view(), name="task-urge"),
    path(
        "tasks/<int:pk>/acknowledge/",
        acknowledgement.TaskAcknowledgeView.as_view(),
        name="task-acknowledge",
    ),
    path(
        "tasks/<int:pk>/return-assignment/",
        acknowledgement.TaskReturnAssignmentView.as_view(),
        name="task-return-assignment",
    ),
    path(
        "tasks/<int:pk>/progress-reports/",
        nested.ProgressReportListView.as_view(),
        name="task-progress-reports",
    ),
    path(
        "tasks/<int:pk>/progress-reports/drafts/",
        drafts.ReportDraftListView.as_view(),
        name="task-report-drafts",
    ),
    path(
        "tasks/<int:pk>/progress-reports/drafts/<int:did>/submit/",
        drafts.ReportDraftSubmitView.as_view(),
        name="task-report-draft-submit",
    ),
    path("tasks/<int:pk>/comments/", nested.CommentListView.as_view(), name="task-comments"),
    path(
        "tasks/<int:pk>/attachments/",
        nested.AttachmentListView.as_view(),
        name="task-attachments",
    ),
    path(
        "tasks/<int:pk>/attachments/<int:aid>/file/",
        nested.AttachmentFileView.as_view(),
        name="task-attachment-file",
    ),
    path("tasks/<int:pk>/history/", nested.HistoryListView.as_view(), name="task-history"),
    path(
        "tasks/<int:pk>/milestones/",
        nested.TaskMilestoneListView.as_view(),
        name="task-milestones",
    ),
    path(
        "tasks/<int:pk>/milestones/<int:mid>/complete/",
        nested.MilestoneCompleteView.as_view(),
        name="task-milestone-complete",
    ),
    path(
        "tasks/<int:pk>/extension-requests/",
        ext.TaskExtensionRequestListView.as_view(),
        name="task-extension-requests",
    ),
    path(
        "extension-requests/",
        ext.ExtensionRequestListView.as_view(),
        name="extension-request-list",
    ),
    path(
        "extension-requests/<int:pk>/decision/",
        ext.ExtensionDecisionView.as_view(),
        name="extension-request-decision",
    ),
    path(
        "tasks/<int:pk>/instructions/",
        instructions.TaskInstructionListView.as_view(),
        name="task-instructions",
    ),
    path(
        "instructions/<int:pk>/response/",
        instructions.InstructionResponseView.as_view(),
        name="instruction-response",
    ),
    path(
        "instructions/<int:pk>/item/",
        items.InstructionItemView.as_view(),
        name="instruction-item",
    ),
    path(
        "supervision/items/",
        items.SupervisionItemCreateView.as_view(),
        name="supervision-item-create",
    ),
    path("supervision/notices/", notices.NoticeListView.as_view(), name="notice-list"),
    path(
        "supervision/notices/<int:pk>/answer/",
        notices.NoticeAnswerView.as_view(),
        name="notice-answer",
    ),
    path(
        "supervision/notices/<int:pk>/review/",
        notices.NoticeReviewView.as_view(),
        name="notice-review",
    ),
    path(
        "supervision/overdue/",
        tasks.SupervisionOverdueView.as_view(),
        name="supervision-overdue",
    ),
]
