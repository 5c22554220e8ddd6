"""The columns of a rollup row: field name and Chinese header, in display order.

Shared by the API serializer, the XLSX and the CSV export.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

METRIC_COLUMNS = (
    ("tasks_total", _("任务总数")),
    ("tasks_not_started", _("未开始")),
    ("tasks_in_progress", _("进行中")),
    ("tasks_pending_review", _("待审核销号")),
    ("tasks_completed", _("已完成")),
    ("tasks_suspended", _("已暂停")),
    ("tasks_cancelled", _("已取消")),
    ("tasks_carried_over", _("已结转")),
    ("completed_on_time", _("按期完成")),
    ("overdue", _("逾期未完成")),
    ("red_items", _("红灯事项")),
    ("avg_progress", _("平均进度(%)")),
    ("milestones_due", _("本季度到期节点")),
    ("milestones_on_time", _("按期完成节点")),
    ("reports_expected", _("应报进展报告")),
    ("reports_on_time", _("按时报送")),
    ("reports_late", _("逾期报送")),
    ("reports_missing", _("未报送")),
    ("reminders_sent", _("系统提醒次数")),
    ("urges_issued", _("催办次数")),
    ("notices_issued", _("督办单")),
    ("extensions_granted", _("批准延期")),
    ("indicators_total", _("指标总数")),
    ("indicators_expected", _("预期性指标")),
    ("indicators_binding", _("约束性指标")),
    ("indicators_on_track", _("指标达标")),
    ("indicators_at_risk", _("指标预警")),
    ("indicators_off_track", _("指标未达标")),
    ("indicators_not_assessed", _("指标未评估")),
)
METRIC_FIELDS = tuple(field for field, _label in METRIC_COLUMNS)

IDENTITY_COLUMNS = (("key", _("代码")), ("name", _("名称")))
SCORE_COLUMNS = (("score", _("得分")), ("rank", _("排名")))


def completion_rate(row) -> float:
    """Completed share of the row's tasks, in percent (0 when it has none)."""
    return round(100.0 * row.tasks_completed / row.tasks_total, 1) if row.tasks_total else 0.0
