"""The report page in a real browser: headless Chromium from Debian's packages driven by
selenium. It loads with no console errors, shows one row per recipe, sorts and filters, and
its screenshot is not blank. `.ci/run` installs chromium and chromium-driver when missing;
this test skips only where no chromium exists at all."""

from __future__ import annotations

import shutil

import pytest

from tests.test_pictures import make_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="no chromium/chromedriver here (.ci/run installs Debian's chromium, chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (test extra) is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    yield driver
    driver.quit()


def _blank_png(browser, tmp_path) -> int:
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    browser.get(blank.as_uri())
    return len(browser.get_screenshot_as_png())


def test_report_page_in_headless_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By

    page, recipes = make_report(tmp_path)
    blank = _blank_png(browser, tmp_path)
    browser.get_log("browser")  # drop what the blank page logged
    browser.get(page.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.recipe")
    assert len(rows) == recipes
    assert browser.find_element(By.ID, "shown").text == str(recipes)
    shot = browser.get_screenshot_as_png()
    assert len(shot) > 2 * blank, (len(shot), blank)

    # filter by text, then by severity; sort by the penalty column
    box = browser.find_element(By.ID, "filter")
    box.send_keys("broken")
    assert browser.find_element(By.ID, "shown").text == "1"
    box.clear()
    box.send_keys(" ")  # a space matches every row's text
    box.clear()
    browser.execute_script("var s=document.getElementById('severity');s.value='error';s.dispatchEvent(new Event('change'))")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr.recipe") if r.is_displayed()]
    assert shown and all(r.get_attribute("data-worst") == "error" for r in shown)
    browser.execute_script("var s=document.getElementById('severity');s.value='all';s.dispatchEvent(new Event('change'))")
    browser.find_elements(By.CSS_SELECTOR, "th")[6].click()
    keys = [r.find_elements(By.TAG_NAME, "td")[6].get_attribute("data-sort") for r in browser.find_elements(By.CSS_SELECTOR, "tr.recipe")]
    numbers = [float(k) for k in keys if k]
    assert numbers == sorted(numbers)
    # a click opens the details with the landscape
    first = browser.find_elements(By.CSS_SELECTOR, "tr.recipe")[0]
    first.click()
    detail = browser.find_element(By.ID, first.get_attribute("data-detail"))
    assert detail.is_displayed()
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
