"""Routes of the supervision console, included at /console/ by plantracker/urls.py."""

from django.urls import path

from plantracker.console.views import (
    acknowledgement,
    auth,
    board,
    department,
    indicators,
    items,
    notices,
    onboarding,
    quarter,
    rollover,
    task,
)

app_name = "console"

urlpatterns = [
    path("", board.home, name="home"),
    path("login/", auth.ConsoleLoginView.as_view(), name="login"),
    path("logout/", auth.ConsoleLogoutView.as_view(), name="logout"),
    path("overdue/", board.overdue_board, name="board"),
    path("notices/", notices.notice_board, name="notices"),
    path("notices/<int:pk>/decision/", notices.notice_decide, name="notice-decide"),
    path("tasks/<int:pk>/", task.task_detail, name="task"),
    path("tasks/<int:pk>/urge/", board.urge, name="urge"),
    path(
        "tasks/<int:pk>/acknowledge/",
        acknowledgement.acknowledge,
        name="task-acknowledge",
    ),
    path(
        "tasks/<int:pk>/return-assignment/",
        acknowledgement.return_assignment,
        name="task-return-assignment",
    ),
    path(
        "extension-requests/<int:pk>/decision/",
        task.extension_decide,
        name="extension-decide",
    ),
    path(
        "attachments/<int:pk>/thumbnail/",
        task.attachment_thumbnail,
        name="attachment-thumbnail",
    ),
    path("quarters/", quarter.quarter, name="quarter"),
    path("quarters/build/", quarter.quarter_build, name="quarter-build"),
    path("quarters/<int:pk>/publish/", quarter.quarter_publish, name="quarter-publish"),
    path("indicators/", indicators.indicators, name="indicators"),
    path("departments/<int:pk>/", department.department, name="department"),
    path("rollover/", rollover.rollover, name="rollover"),
    path("plans/new/", onboarding.plan_new, name="plan-new"),
    path("items/new/", items.item_new, name="item-new"),
    path("plans/drafts/<int:pk>/", onboarding.plan_draft, name="plan-draft"),
]
