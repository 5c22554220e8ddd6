"""The README's console screenshots, from a running demo (not a test; run by hand):

    make run            # or: PLANTRACKER_TODAY=2025-09-15 manage.py runserver, after make seed
    .venv/bin/python -m tests.console.readme_screenshots http://127.0.0.1:8000 PASSWORD

Logs in as `supervisor` with Debian's headless Chromium (tests/console/browser.py) and
writes docs/screenshots/console-board.png and console-quarter.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import django
from selenium.webdriver.common.by import By

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PAGES = (
    ("console-board", "/console/", "#board-filters"),
    ("console-quarter", "/console/quarters/", "#charts"),
)


def main(base_url: str, password: str) -> None:
    django.setup()  # tests.console.browser shares tests/conftest.py's constants
    from tests.console import browser

    with tempfile.TemporaryDirectory() as tmp:
        driver = browser.start_chromium(Path(tmp) / "profile", Path(tmp) / "driver.log")
        try:
            driver.get(f"{base_url}/console/")
            browser.wait_for(driver, "#login-form")
            driver.find_element(By.ID, "id_username").send_keys("supervisor")
            driver.find_element(By.ID, "id_password").send_keys(password)
            driver.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
            browser.wait_for(driver, "#board-filters")
            browser.SCREENSHOTS = OUT
            for name, path, ready in PAGES:
                driver.get(f"{base_url}{path}")
                browser.wait_for(driver, ready)
                print(browser.screenshot(driver, name))
        finally:
            driver.quit()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
