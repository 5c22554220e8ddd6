"""Chinese labels for the history action codes the task page shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

HISTORY_ACTIONS = {
    "start": _("开始实施"),
    "submit": _("申请销号"),
    "approve": _("审核销号"),
    "return": _("退回"),
    "suspend": _("暂停"),
    "resume": _("恢复"),
    "cancel": _("取消"),
    "urge": _("催办"),
    "notice": _("督办单"),
    "report": _("进展报告"),
    "report_part": _("配合部门进展报告"),
    "update": _("修改"),
    "attachment": _("上传佐证材料"),
    "comment": _("评论"),
    "extension_request": _("申请延期"),
    "extension_approve": _("批准延期"),
    "extension_reject": _("驳回延期"),
    "milestone_add": _("增加节点"),
    "milestone_complete": _("节点完成"),
    "admin_create": _("后台创建"),
    "imported": _("导入计划"),
    "carried_over": _("结转至下一年度"),
    "carried_from": _("由上一年度结转"),
    "supervision_notice": _("督办单"),
    "notice_answer": _("督办单反馈"),
    "notice_accept": _("督办单办结"),
    "notice_send_back": _("督办单退回重办"),
    "extension_withdraw": _("延期申请撤回"),
    "leader_instruction": _("领导批示"),
    "instruction_response": _("批示办理回复"),
    "report_draft_submit": _("报送联络员草稿"),
    "claim_no_evidence": _("无佐证材料说明"),
    "assign": _("交办"),
    "acknowledge": _("签收"),
    "return_assignment": _("退回交办"),
}


def history_action_label(action: str) -> str:
    """The Chinese name of a history action; admin edits and unknown codes as they are."""
    if action in HISTORY_ACTIONS:
        return str(HISTORY_ACTIONS[action])
    return str(_("后台修改")) if action.startswith("admin_") else action
