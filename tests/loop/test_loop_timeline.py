"""Leader instructions and their responses stand out in the task's timeline: marked
`prominent` in the API's history and highlighted on the console's task page."""

from __future__ import annotations

from django.test import Client

from tasks_app.supervision.instructions import instruction_create, instruction_respond
from tests.api.tasks_support import World


def test_history_marks_instructions_and_responses_prominent(world: World, validated_api) -> None:
    instruction = instruction_create(task=world.task, actor=world.leader, text="请月底前完成")
    instruction_respond(instruction=instruction, actor=world.lead_lead, text="已部署，月底完成")
    rows = validated_api(world.supervisor).get(world.url("history/")).json()["results"]
    marked = {(row["action"], row["reason"]) for row in rows if row["prominent"]}
    assert marked == {
        ("leader_instruction", "请月底前完成"),
        ("instruction_response", "已部署，月底完成"),
    }
    assert not any(row["prominent"] for row in rows if row["action"] == "start")


def test_console_task_page_highlights_instructions(world: World) -> None:
    client = Client()
    client.force_login(world.lead_lead)
    url = f"/console/tasks/{world.task.pk}/"
    assert 'id="instructions"' not in client.get(url).content.decode()
    instruction = instruction_create(task=world.task, actor=world.leader, text="请月底前完成")
    html = client.get(url).content.decode()
    assert 'id="instructions"' in html and "请月底前完成" in html
    assert 'data-answered="no"' in html and "待牵头部门回复" in html
    instruction_respond(instruction=instruction, actor=world.lead_lead, text="已部署，月底完成")
    html = client.get(url).content.decode()
    assert 'data-answered="yes"' in html and "已部署，月底完成" in html
    assert html.count('class="history-prominent"') == 2
    assert 'data-action="leader_instruction"' in html
    assert 'data-action="instruction_response"' in html
