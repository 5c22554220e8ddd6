"""Debian's Chromium, headless, driven through /usr/bin/chromedriver (no browser download),
and the helpers the console's browser tests share: login, full-page screenshots, fonts."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import PASSWORD, REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO / "var" / "screenshots"
WAIT_SECONDS = 30
# As root, headless, and never reaching out to the network on its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1440,1000",
    "--lang=zh-CN",
)


def start_chromium(profile_dir: Path, log_path: Path) -> WebDriver:
    """A fresh headless Chromium with its own profile directory."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, f"{missing} missing: run `make deps-system` (Debian chromium packages)"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    # A Chinese reader's browser: Accept-Language zh-CN (headless defaults to en-US).
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # An explicit driver path: Selenium Manager is never asked to download anything.
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(log_path))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT_SECONDS * 2)
    return driver


def wait_for(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def log_in(driver: WebDriver, base_url: str, username: str) -> None:
    """Through the console's own login page; lands on the overdue board."""
    driver.delete_all_cookies()
    driver.get(f"{base_url}/console/")
    wait_for(driver, "#login-form")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
    wait_for(driver, "#board-filters")


def log_out(driver: WebDriver) -> None:
    # Submitted from script: after a beyond-viewport capture, Chromium drops the native
    # click on this header button (the console's own buttons are clicked for real).
    driver.execute_script("document.getElementById('logout-form').requestSubmit()")
    wait_for(driver, "#login-form")


def screenshot(driver: WebDriver, name: str) -> Path:
    """The whole page (beyond the viewport) as var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    path = SCREENSHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def installed_cjk_families() -> set[str]:
    """Font families fontconfig knows for Chinese (what Chromium falls back to)."""
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True
    ).stdout
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def rendering_fonts(driver: WebDriver, css: str) -> set[str]:
    """The platform fonts Chromium actually used to draw the text of the element at `css`
    (DevTools CSS.getPlatformFontsForNode)."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": css})
    assert node["nodeId"], f"nothing matches {css}"
    fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    return {font["familyName"] for font in fonts["fonts"]}


# Draws glyphs on a canvas in the charts' font stack: two different CJK characters must
# differ from each other and from an unassigned code point (which is drawn as tofu).
NOT_TOFU_JS = """
const family = arguments[0];
const canvas = document.createElement('canvas');
canvas.width = 64; canvas.height = 40;
const g = canvas.getContext('2d');
function pixels(text) {
  g.clearRect(0, 0, 64, 40);
  g.font = '28px ' + family;
  g.fillText(text, 4, 32);
  return Array.from(g.getImageData(0, 0, 64, 40).data).join(',');
}
const zhong = pixels('中'), guo = pixels('国'), tofu = pixels('\\u0378');
return {distinct: zhong !== guo, notTofu: zhong !== tofu && guo !== tofu};
"""
