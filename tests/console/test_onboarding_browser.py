"""Onboarding a new plan in the console, in a real browser (headless Chromium).

The supervisor pastes a plan text with a broken line, sees the refusal with its line
number, fixes the text, sees the parsed tree, accepts the suggested departments in bulk,
saves and publishes (交办); then a department lead finds the new tasks in their inbox (the
API's notifications, read with the console's session) and in their department's list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tasks_app.models import Department, Notification, Plan, PlanDraft, Task
from tests.console.browser import WAIT_SECONDS, log_in, screenshot, start_chromium, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PLAN_TEXT = """北京市大兴区2027年国民经济和社会发展计划

一、2026年计划执行情况
全年经济运行总体平稳。

二、2027年经济社会发展的主要任务
（一）办好人民满意的教育
1.扩大优质学位供给。新建改扩建中小学校3所，新增学位2000个。推进集团化办学，提升九年一贯制学校教育质量。
{second}加强水务设施建设。推进永兴河河道治理工程，完成污水管网改造10公里。提升农村供水保障水平。
（二）提升卫生健康服务
1.完善医疗服务体系。推进区医院新院区建设，新增床位300张。加强疾控体系建设，提升公共卫生应急能力。
"""
BROKEN = PLAN_TEXT.format(second="3.")  # measure 3 after measure 1: refused at line 9
FIXED = PLAN_TEXT.format(second="2.")
DEPARTMENTS = (("jw", "区教委"), ("sw", "区水务局"), ("wjw", "区卫生健康委"))


@pytest.fixture
def browser(tmp_path) -> Iterator[WebDriver]:
    driver = start_chromium(tmp_path / "chromium-profile", tmp_path / "chromedriver.log")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def departments(db) -> dict[str, Department]:
    return {code: Department.objects.create(code=code, name=name) for code, name in DEPARTMENTS}


def text_of(driver: WebDriver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text.strip()


def click_and_wait(driver: WebDriver, element_id: str, banner: str) -> None:
    """Click, wait for the next page to replace this one, then for its success banner."""
    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, element_id).click()
    WebDriverWait(driver, WAIT_SECONDS).until(EC.staleness_of(old_page), "the next page")
    wait_for(driver, ".messagelist .success")
    assert banner in text_of(driver, ".messagelist .success")


def paste(driver: WebDriver, text: str) -> None:
    """Set the textarea as a paste would (send_keys would type line by line)."""
    area = driver.find_element(By.ID, "id_text")
    driver.execute_script("arguments[0].value = arguments[1];", area, text)


def api_json(driver: WebDriver, path: str) -> dict:
    """GET an API page with the browser's session (the API accepts it, as for the
    browsable API)."""
    body = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {headers: {Accept: 'application/json'}})"
        ".then(r => r.text()).then(done);",
        path,
    )
    return json.loads(body)


def test_supervisor_onboards_a_plan_and_the_departments_find_their_tasks(
    live_server, browser: WebDriver, supervisor, make_member, departments
) -> None:
    driver = browser
    lead_sw = make_member(departments["sw"], "dept_lead")
    lead_jw = make_member(departments["jw"], "dept_lead")
    log_in(driver, live_server.url, supervisor.username)

    # Paste a plan with a broken line: the refusal names line 9 and shows it.
    driver.find_element(By.LINK_TEXT, "计划导入").click()
    wait_for(driver, "#plan-new-form")
    paste(driver, BROKEN)
    driver.find_element(By.CSS_SELECTOR, "#plan-new-form button[type=submit]").click()
    wait_for(driver, "#parse-error")
    error = driver.find_element(By.ID, "parse-error")
    assert error.get_attribute("data-line") == "9"
    assert "第9行" in error.text
    assert "3.加强水务设施建设" in text_of(driver, "#parse-error-line")
    assert not driver.find_elements(By.ID, "plan-tree")
    draft = PlanDraft.objects.get()
    assert draft.text == BROKEN  # kept as typed, nothing lost
    screenshot(driver, "console-onboarding-error")

    # Fix the line and re-parse: the tree with line numbers, sentences, key results.
    paste(driver, FIXED)
    driver.find_element(By.ID, "reparse").click()
    wait_for(driver, "#plan-tree")
    assert not driver.find_elements(By.ID, "parse-error")
    tasks = driver.find_elements(By.CSS_SELECTOR, "#plan-tree li.task")
    assert [t.get_attribute("data-code") for t in tasks] == [
        "2027-2.1.1-01",
        "2027-2.1.1-02",
        "2027-2.1.2-01",
        "2027-2.1.2-02",
        "2027-2.2.1-01",
        "2027-2.2.1-02",
    ]
    water = driver.find_element(By.CSS_SELECTOR, "#plan-tree li.task[data-code='2027-2.1.2-01']")
    assert water.get_attribute("data-line") == "9"
    assert "推进永兴河河道治理工程，完成污水管网改造10公里。" in water.text
    assert "10公里" in water.find_element(By.CSS_SELECTOR, ".key-result").text
    assert driver.find_elements(By.CSS_SELECTOR, "#parse-warnings li")
    assert "尚有6项" in text_of(driver, "#unassigned-count")
    row = "#assignments tr[data-code='2027-2.1.2-01']"
    assert "区水务局" in text_of(driver, f"{row} .suggested-lead")
    assert text_of(driver, f"{row} .suggested-lead .reasons")  # says why
    screenshot(driver, "console-onboarding-tree")

    # Accept every suggestion in one go, then save the table (one due date edited).
    click_and_wait(driver, "accept-all", "已采纳6项")
    assert "尚有0项" in text_of(driver, "#unassigned-count")
    lead = driver.find_element(By.CSS_SELECTOR, f"{row} select.lead-select")
    assert lead.get_attribute("value") == "sw"
    driver.execute_script(
        "arguments[0].value = '2027-06-30';",
        driver.find_element(By.CSS_SELECTOR, f"{row} input.due-input"),
    )
    click_and_wait(driver, "save-assignments", "已保存分工")
    draft.refresh_from_db()
    assert draft.assignments["2027-2.1.2-01"]["due"] == "2027-06-30"
    assert Plan.objects.filter(year=2027).count() == 0  # nothing visible before 交办
    screenshot(driver, "console-onboarding-assigned")

    # Publish (交办): the real import, then the board of the new plan.
    driver.find_element(By.ID, "publish").click()
    wait_for(driver, "#board-filters")
    assert "已交办" in text_of(driver, ".messagelist .success")
    plan = Plan.objects.get(year=2027)
    assert Task.objects.filter(plan=plan).count() == 6
    water_task = Task.objects.get(plan=plan, code="2027-2.1.2-01")
    assert water_task.lead_department == departments["sw"]
    assert str(water_task.due_date) == "2027-06-30"
    assert Notification.objects.filter(recipient=lead_sw, kind="plan_assigned").exists()
    assert Notification.objects.filter(recipient=lead_jw, kind="plan_assigned").exists()

    # The water bureau's lead: the inbox message and the department's task list.
    log_in(driver, live_server.url, lead_sw.username)
    inbox = api_json(driver, "/api/v1/notifications/")
    items = inbox.get("results", inbox) if isinstance(inbox, dict) else inbox
    message = next(n for n in items if n["kind"] == "plan_assigned")
    assert "区水务局" in message["title"]
    assert "2027-2.1.2-01" in message["body"]
    listed = api_json(driver, f"/api/v1/tasks/?plan={plan.pk}")
    codes = {t["code"] for t in listed.get("results", listed)}
    assert "2027-2.1.2-01" in codes
    driver.get(f"{live_server.url}/console/departments/{departments['sw'].pk}/?plan={plan.pk}")
    wait_for(driver, ".department-tasks")
    assert "2027-2.1.2-01" in text_of(driver, ".department-tasks")
    screenshot(driver, "console-onboarding-department")
