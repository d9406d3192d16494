"""Small helpers to drive Superset's pages (Ant Design selects, popovers, AG Grid tables) with
Selenium, waiting for what the page shows rather than sleeping a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

T = TypeVar("T")
TRANSIENT = (
    NoSuchElementException,
    StaleElementReferenceException,
    ElementClickInterceptedException,
    IndexError,
    StopIteration,
)


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30) -> T:
    """The first truthy answer of ``probe``, retried until ``timeout`` (elements come and go)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except TRANSIENT as exc:
            last = exc
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}" + (f" ({last!r})" if last else ""))


def until_shown(what: str, act: Callable[[], object], probe: Callable[[], T | None], attempts: int = 3) -> T:
    """Do ``act`` until ``probe`` finds what it brings. A click that lands while Ant Design's
    dropdown is still animating in can be lost (seen once in CI on a slower machine): doing the
    step again is what a user would do, and the last failure is still reported."""
    for _ in range(attempts - 1):
        act()
        try:
            return wait_for(what, probe, timeout=10)
        except AssertionError:
            pass
    act()
    return wait_for(what, probe)


def shot(driver: WebDriver, folder: Path, name: str) -> None:
    driver.save_screenshot(str(folder / f"{name}.png"))


def click(driver: WebDriver, target: WebElement | Callable[[], WebElement], patience: float = 15) -> None:
    """Click ``target`` (an element, or a function finding it again on each try: React re-renders
    replace elements). While a toast covers it, wait for the toast to go; if one stays, dispatch
    the click on the element itself."""
    find = target if callable(target) else (lambda: target)
    deadline = time.monotonic() + patience
    while True:
        element = None
        try:
            element = find()
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
            return
        except ElementClickInterceptedException:
            if time.monotonic() > deadline and element is not None:
                driver.execute_script("arguments[0].click()", element)
                return
        except (StaleElementReferenceException, NoSuchElementException):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def button(driver: WebDriver, text: str, within: WebElement | None = None) -> WebElement:
    """A visible button whose text is ``text``."""
    scope = within or driver

    def probe() -> WebElement | None:
        found = [b for b in scope.find_elements(By.TAG_NAME, "button") if b.is_displayed() and b.text.strip() == text]
        return found[0] if found else None

    return wait_for(f"a button {text!r}", probe)


def by_text(driver: WebDriver, text: str) -> WebElement:
    return wait_for(
        f"the text {text!r}",
        lambda: next(
            (
                e
                for e in driver.find_elements(By.XPATH, f"//*[normalize-space(text())={_xpath_literal(text)}]")
                if e.is_displayed()
            ),
            None,
        ),
    )


def choose(driver: WebDriver, label: str, option: str, within: Callable[[], WebElement] | None = None) -> None:
    """Pick ``option`` in the Ant Design select whose input is labelled ``label``: click it, type
    the option's text, click the option (its title, or a line of its text, equals ``option``).
    ``within`` finds the element to search in, again on each try (popovers re-render)."""

    def open_and_type() -> bool:
        scope = within() if within else driver
        field = next(
            i for i in scope.find_elements(By.CSS_SELECTOR, f"input[aria-label={_css_literal(label)}]") if i.size
        )
        click(driver, field.find_element(By.XPATH, "./ancestor::div[contains(@class,'ant-select')][1]"))
        field.send_keys(option)
        return True

    wait_for(f"the select {label!r}", open_and_type)

    def pick() -> bool:
        options = driver.find_elements(
            By.CSS_SELECTOR, ".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option"
        )
        matching = [o for o in options if o.get_attribute("title") == option or option in o.text.splitlines()]
        if not matching:
            return False
        matching[0].click()
        return True

    wait_for(f"the option {option!r} of {label!r}", pick)


def popover(driver: WebDriver) -> WebElement:
    return wait_for(
        "a popover",
        lambda: next((p for p in driver.find_elements(By.CSS_SELECTOR, ".ant-popover") if p.is_displayed()), None),
    )


#: Reads the AG Grid table on the page that is visible: its rows in order, cell texts by column id.
_GRID_ROWS = """
const grids = [...document.querySelectorAll('.ag-root')].filter(g => g.offsetParent !== null);
if (!grids.length) return null;
const rows = [...grids[grids.length - 1].querySelectorAll('.ag-center-cols-container [role=row]')];
rows.sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')));
return rows.map(r => Object.fromEntries(
  [...r.querySelectorAll('[role=gridcell]')].map(c => [c.getAttribute('col-id'), c.textContent.trim()])));
"""


def grid_rows(driver: WebDriver, expected: int, timeout: float = 60) -> list[dict[str, Any]]:
    """The rows of the visible result table, once it shows ``expected`` of them."""
    return wait_for(
        f"a result table of {expected} rows",
        lambda: (
            (rows := driver.execute_script(_GRID_ROWS))
            and len(rows) == expected
            and all(any(cell for cell in row.values()) for row in rows)  # painted, not just laid out
            and rows
        ),
        timeout,
    )


def _xpath_literal(text: str) -> str:
    return f"'{text}'" if "'" not in text else f'"{text}"'


def _css_literal(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'
