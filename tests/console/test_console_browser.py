"""The console in a real browser (headless Chromium against the live server).

Supervisor: log in, filter the overdue board, urge a task and see the notice recorded (in
the database and on the page), open the task, the quarter page (charts with Chinese
labels drawn in a CJK font, exports), the indicator page. Department lead: refused
another department's page and task. Each page's screenshot goes to var/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from tasks_app.models import Notification, SupervisionNotice
from tests.console.browser import (
    NOT_TOFU_JS,
    WAIT_SECONDS,
    installed_cjk_families,
    log_in,
    log_out,
    rendering_fonts,
    screenshot,
    start_chromium,
    wait_for,
)
from tests.console.conftest import ConsoleWorld

pytestmark = pytest.mark.django_db(transaction=True)

QUARTER_CHARTS = (
    "completion-by-department",
    "red-by-chapter",
    "indicator-attainment",
    "indicator-series",
)


@pytest.fixture
def browser(tmp_path, settings) -> Iterator[WebDriver]:
    # The server's clock is pinned to 2025 while the browser's is not: session cookies.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    driver = start_chromium(tmp_path / "chromium-profile", tmp_path / "chromedriver.log")
    try:
        yield driver
    finally:
        driver.quit()


def text_of(driver: WebDriver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text.strip()


def urge_from_the_board(driver: WebDriver, world: ConsoleWorld) -> None:
    Select(driver.find_element(By.ID, "id_department")).select_by_value(str(world.dept_a.pk))
    driver.find_element(By.CSS_SELECTOR, "#board-filters button[type=submit]").click()
    row_css = f"#task-{world.task.pk}"
    wait_for(driver, row_css)
    assert text_of(driver, f"{row_css} .urges-issued") == "0"
    screenshot(driver, "console-board")
    driver.find_element(By.CSS_SELECTOR, f"{row_css} .urge-button").click()
    wait_for(driver, ".messagelist .success")
    assert "已发出催办" in text_of(driver, ".messagelist .success")
    assert world.task.code in text_of(driver, ".messagelist .success")
    assert text_of(driver, f"{row_css} .urges-issued") == "1"
    screenshot(driver, "console-board-urged")


def check_chart_fonts(driver: WebDriver) -> None:
    """The chart labels are Chinese text nodes, drawn with an installed CJK font."""
    cjk = installed_cjk_families()
    assert cjk, "no CJK font installed (fc-list :lang=zh): run `make deps-system`"
    title = text_of(driver, "svg#completion-by-department text.chart-title")
    assert title == "各部门任务完成率（%）"
    chapter_labels = [
        t.text for t in driver.find_elements(By.CSS_SELECTOR, "svg#red-by-chapter text")
    ]
    assert any("（一）" in label for label in chapter_labels)
    used = rendering_fonts(driver, "svg#completion-by-department text.chart-title")
    assert used & cjk, f"chart title drawn with {used}, none of them a CJK font ({cjk})"
    family = driver.find_element(By.CSS_SELECTOR, "svg#red-by-chapter").get_attribute("font-family")
    assert driver.execute_script(NOT_TOFU_JS, family) == {"distinct": True, "notTofu": True}


def check_exports(driver: WebDriver) -> None:
    for css, content_type in (
        ("#export-xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("#export-csv", "text/csv"),
    ):
        href = driver.find_element(By.CSS_SELECTOR, css).get_attribute("href")
        status, kind = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type')]));",
            href,
        )
        assert status == 200
        assert kind.startswith(content_type)


def test_supervisor_urges_and_reviews_the_quarter(
    console_world: ConsoleWorld, live_server, browser: WebDriver
) -> None:
    w, driver = console_world, browser
    driver.get(f"{live_server.url}/console/")
    wait_for(driver, "#login-form")
    screenshot(driver, "console-login")
    log_in(driver, live_server.url, w.supervisor.username)

    urge_from_the_board(driver, w)
    notice = SupervisionNotice.objects.get(task=w.task)
    assert (notice.kind, notice.issued_by_id, notice.department_id) == (
        "urge",
        w.supervisor.pk,
        w.dept_a.pk,
    )
    assert Notification.objects.filter(task=w.task, kind="urge", recipient=w.lead_a).exists()

    driver.find_element(By.CSS_SELECTOR, f"#task-{w.task.pk} a.open-task").click()
    wait_for(driver, "#plan-text")
    assert text_of(driver, "#plan-text") == w.task.text
    assert driver.find_elements(By.CSS_SELECTOR, "#notices .notice-row[data-kind=urge]")
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.execute_script(
            "const imgs = [...document.querySelectorAll('img.thumbnail')];"
            "return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);"
        ),
        "the evidence thumbnails load",
    )
    screenshot(driver, "console-task")

    driver.get(f"{live_server.url}/console/quarters/")
    wait_for(driver, "#charts")
    for chart in QUARTER_CHARTS:
        assert driver.find_elements(By.CSS_SELECTOR, f"svg#{chart} text"), chart
    check_chart_fonts(driver)
    check_exports(driver)
    screenshot(driver, "console-quarter")

    driver.get(f"{live_server.url}/console/indicators/")
    wait_for(driver, "svg#indicator-series")
    assert len(driver.find_elements(By.CSS_SELECTOR, "tr.indicator-row")) == 21
    screenshot(driver, "console-indicators")

    driver.get(f"{live_server.url}/console/departments/{w.dept_a.pk}/")
    wait_for(driver, ".department-tasks")
    screenshot(driver, "console-department")
    log_out(driver)


def test_department_lead_is_refused_another_department(
    console_world: ConsoleWorld, live_server, browser: WebDriver
) -> None:
    w, driver = console_world, browser
    log_in(driver, live_server.url, w.lead_b.username)
    assert not driver.find_elements(By.CSS_SELECTOR, ".urge-form")
    assert not driver.find_elements(By.CSS_SELECTOR, f"#task-{w.task.pk}")
    screenshot(driver, "console-board-department-lead")

    driver.get(f"{live_server.url}/console/departments/{w.dept_a.pk}/")
    wait_for(driver, "#forbidden-message")
    assert "只能查看本部门" in text_of(driver, "#forbidden-message")
    screenshot(driver, "console-forbidden")

    driver.get(f"{live_server.url}/console/tasks/{w.task.pk}/")
    assert "Not Found" in driver.page_source or "404" in driver.title

    driver.get(f"{live_server.url}/console/departments/{w.dept_b.pk}/")
    wait_for(driver, ".department-tasks")
    assert w.dept_b.name in driver.title
    screenshot(driver, "console-department-lead-own")
