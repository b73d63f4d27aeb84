"""The playground page in headless Chromium against the real server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.e2e.conftest import start_server
from tests.e2e.conftest import stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
XSS = (
    "<b>Bold claim</b> and <script>window.hacked = 1</script> The mayor of Riverton "
    "resigned on Monday after a long scandal over the city budget."
)


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        tmp_path_factory.mktemp("page"), NEWSBRIEF_ENGINE="extractive", NEWSBRIEF_WORKERS="1"
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("chromium and chromium-driver are required here (.ci/run installs them)")
        pytest.skip("chromium / chromium-driver not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", f"--user-data-dir={tmp_path_factory.mktemp('chrome')}",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for(driver: Any, condition: Any, timeout: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def open_with_sample(browser: Any, server: Server) -> None:
    """Open the playground and load the sample article."""
    from selenium.webdriver.common.by import By

    browser.get(server.base + "/")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#engine option"))
    browser.find_element(By.ID, "sample").click()
    wait_for(browser, lambda d: len(d.find_element(By.ID, "article").get_attribute("value")) > 1000)


def test_playground_summarises_the_sample(
    page_server: Server, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    open_with_sample(browser, page_server)
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#box li")) >= 3)
    bullets = browser.find_elements(By.CSS_SELECTOR, "#box li")
    assert 3 <= len(bullets) <= 5
    assert browser.find_element(By.ID, "summary").text
    assert "engine extractive" in browser.find_element(By.ID, "meta").text
    assert "profile general" in browser.find_element(By.ID, "meta").text
    browser.save_screenshot(str(tmp_path / "playground.png"))
    assert (tmp_path / "playground.png").stat().st_size > 0


def test_the_house_style_picker_changes_the_box(page_server: Server, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    open_with_sample(browser, page_server)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#profile option[value='bbc']"))
    browser.find_element(By.CSS_SELECTOR, "#profile option[value='bbc']").click()
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: "profile bbc" in d.find_element(By.ID, "meta").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#box li")) == 5  # BBC's long box


def test_playground_shows_problem_for_empty_article(page_server: Server, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(page_server.base + "/")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#engine option"))
    browser.find_element(By.ID, "sample").click()  # a result first, then the error
    wait_for(browser, lambda d: len(d.find_element(By.ID, "article").get_attribute("value")) > 1000)
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#box li")) >= 3)
    browser.find_element(By.ID, "article").clear()
    browser.find_element(By.ID, "submit").click()
    error = wait_for(
        browser,
        lambda d: d.find_element(By.ID, "error") if d.find_element(By.ID, "error").text else None,
    )
    assert "text" in error.text  # the problem's field path is shown
    assert not browser.find_elements(By.CSS_SELECTOR, "#box li")  # no stale result beside it
    assert not browser.find_element(By.ID, "summary").text


def test_playground_renders_markup_in_articles_as_text(page_server: Server, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(page_server.base + "/")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#engine option"))
    article = browser.find_element(By.ID, "article")
    article.clear()
    article.send_keys(XSS)
    browser.find_element(By.CSS_SELECTOR, "#engine option[value='lead']").click()
    browser.find_element(By.ID, "submit").click()
    summary = wait_for(
        browser,
        lambda d: (
            d.find_element(By.ID, "summary") if d.find_element(By.ID, "summary").text else None
        ),
    )
    assert "<script>" in summary.text and "<b>" in summary.text  # shown literally
    assert summary.find_elements(By.TAG_NAME, "b") == []
    assert browser.execute_script("return window.hacked") is None


def test_playground_lights_a_bullets_evidence_in_the_article(
    page_server: Server, browser: Any
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    open_with_sample(browser, page_server)
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#box li.claim")) >= 3)
    assert browser.find_elements(By.CSS_SELECTOR, "#source .sentence")
    for bullet in browser.find_elements(By.CSS_SELECTOR, "#box li.claim"):
        assert "supported" in bullet.get_attribute("class").split()  # our box is grounded
        ActionChains(browser).move_to_element(bullet).perform()
        lit = wait_for(
            browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#source .sentence.evidence")
        )
        words = {w.strip(",.").lower() for w in bullet.text.split() if len(w) > 4}
        evidence = " ".join(span.text for span in lit).lower()
        assert sum(w in evidence for w in words) >= len(words) // 2
    summary = browser.find_element(By.CSS_SELECTOR, "#summary .claim")
    browser.execute_script("arguments[0].focus()", summary)  # keyboard users get it too
    assert wait_for(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#source .sentence.evidence")
    )


def test_playground_marks_unsupported_spans_of_a_draft(page_server: Server, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    open_with_sample(browser, page_server)
    draft = browser.find_element(By.ID, "draft")
    draft.send_keys("The war reached its 2,000-day milestone on Tuesday\n")
    draft.send_keys("The Biden administration will allow Ukraine to use antipersonnel land mines")
    browser.find_element(By.ID, "check").click()
    items = wait_for(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#checked li.claim") or None
    )
    assert len(items) == 2
    wrong, right = items
    assert "unsupported" in wrong.get_attribute("class").split()
    marks = wrong.find_elements(By.CSS_SELECTOR, "mark.issue")
    assert [m.text for m in marks] == ["2,000"]
    assert "supported" in right.get_attribute("class").split()
    # The article gives the defense secretary as the source: stated as fact, it is marked.
    (lost,) = right.find_elements(By.CSS_SELECTOR, "mark.issue")
    assert lost.get_attribute("class").split() == ["issue", "attribution"]
    assert "source" in lost.get_attribute("title")


def test_revise_mode_keeps_the_box_and_its_pins_across_an_edit(
    page_server: Server, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    open_with_sample(browser, page_server)
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#box li")) >= 3)
    first = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#box li")]
    browser.find_element(By.CSS_SELECTOR, "#box li button.pin").click()
    browser.find_element(By.ID, "revise").click()
    browser.execute_script(
        "const a = document.getElementById('article');"
        "a.value = 'UPDATE: Officials said on Thursday that talks would continue.\\n\\n' + a.value;"
    )
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#box li .status"))
    statuses = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "#box li .status")]
    assert statuses[0] == "pinned"
    assert all(s == "kept" for s in statuses[1 : len(first)])
    assert (
        browser.find_element(By.CSS_SELECTOR, "#box li button.pin").get_attribute("aria-pressed")
        == "true"
    )
    assert any("Officials said on Thursday" in c.text for c in browser.find_elements(
        By.CSS_SELECTOR, "#changes li"
    ))  # fmt: skip
