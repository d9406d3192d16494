"""Apache Superset, as released, with the cdp dialect, driven in a real browser (Chromium).

The steps a user takes, in order, each on Superset's own pages: add the database by its URL
("Test connection" first refuses a wrong password with Superset's access-denied error, then
succeeds), run a query in SQL Lab, create a physical dataset from a reflected table, a bar
chart, and a time-series chart at Month and at Quarter grain with a time-range filter. Every
number the page shows is compared with one computed here from raw rows fetched through cdpdb
(Python counts, not the server's GROUP BY). Screenshots: artifacts/superset/.

The tests share one browser session and run in file order; each needs the one before it.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .pages import button, by_text, choose, click, grid_rows, popover, shot, until_shown, wait_for

TABLE = "ssot__SalesOrder__dlm"
STATUS = "ssot__SalesOrderStatusId__c"
STARTED = "ssot__OrderStartDate__c"
DATABASE = "Local Data Cloud"
RANGE = (datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2025, 1, 1, tzinfo=timezone.utc))

state: dict[str, str] = {}


@pytest.fixture(scope="module")
def orders(cdp_engine: sa.engine.Engine) -> list[tuple[str | None, datetime | None]]:
    """Every order's status and start time, fetched raw through cdpdb."""
    with cdp_engine.connect() as conn:
        rows = conn.execute(sa.text(f'SELECT "{STATUS}", "{STARTED}" FROM "{TABLE}"')).fetchall()
    assert len(rows) > 1000
    return [(r[0], r[1]) for r in rows]


def test_log_in(browser, superset, artifacts):
    browser.get(f"{superset.url}/login/")

    def attempt() -> bool:
        # The login page may re-render while it loads, dropping what was typed: type, check, sign in.
        if "/superset/welcome" in browser.current_url:
            return True  # a slow answer to the previous try
        username = browser.find_element(By.ID, "username")
        password = browser.find_element(By.ID, "password")
        _type(username, superset.username)
        _type(password, superset.password)
        if username.get_attribute("value") != superset.username or not password.get_attribute("value"):
            return False
        click(browser, lambda: button(browser, "Sign in"))
        try:
            wait_for("the welcome page", lambda: "/superset/welcome" in browser.current_url, timeout=10)
        except AssertionError:
            return False
        return True

    wait_for("a successful login", attempt, timeout=60)
    shot(browser, artifacts, "01-logged-in")


def _database_modal(browser, superset):
    browser.get(f"{superset.url}/databaseview/list/")
    click(browser, lambda: button(browser, "Database"))
    modal = wait_for("the database modal", lambda: browser.find_element(By.CSS_SELECTOR, ".ant-modal"))
    select = wait_for("the engine list", lambda: modal.find_element(By.CSS_SELECTOR, ".ant-select"))
    click(browser, lambda: select)
    select.find_element(By.TAG_NAME, "input").send_keys("Salesforce Data Cloud")
    click(browser, lambda: by_text(browser, "Salesforce Data Cloud"))
    return wait_for(
        "the URI form", lambda: browser.find_element(By.CSS_SELECTOR, ".ant-modal input[name=sqlalchemy_uri]")
    )


def _type(field, text):
    """Replace a React input's text (``clear()`` leaves React's state, and the old text, behind),
    and check it took: a re-render while typing can drop keys."""

    def attempt() -> bool:
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(Keys.BACKSPACE)
        field.send_keys(text)
        return field.get_attribute("value") == text

    wait_for(f"the text typed into {field.get_attribute('name') or 'a field'}", attempt, timeout=20)


def test_add_database_by_url_and_test_connection(browser, superset, cdp_url, artifacts):
    uri = _database_modal(browser, superset)
    assert uri.get_attribute("placeholder").startswith("cdp://")  # the engine spec's placeholder
    _type(browser.find_element(By.CSS_SELECTOR, ".ant-modal input[name=database_name]"), DATABASE)

    # A wrong password: the engine spec turns the driver's error into Superset's access-denied error.
    wrong = re.sub(r":[^:@/]+@", ":not-the-password@", cdp_url, count=1)
    _type(uri, wrong)
    click(browser, lambda: button(browser, "Test connection"))
    wait_for("the access-denied error", lambda: "refused the login" in browser.find_element(By.TAG_NAME, "body").text)
    shot(browser, artifacts, "02-test-connection-wrong-password")

    _type(uri, cdp_url)
    click(browser, lambda: button(browser, "Test connection"))
    by_text(browser, "Connection looks good!")
    shot(browser, artifacts, "03-test-connection-ok")
    click(browser, lambda: button(browser, "Connect"))
    by_text(browser, "Database connected")
    wait_for("the database in the list", lambda: DATABASE in browser.find_element(By.TAG_NAME, "body").text)
    shot(browser, artifacts, "04-database-list")


def _sql_lab_run(browser, sql: str) -> None:
    editor = wait_for("the SQL editor", lambda: browser.find_element(By.CSS_SELECTOR, ".ace_editor"))
    browser.execute_script("arguments[0].env.editor.setValue(arguments[1], 1)", editor, sql)
    click(browser, lambda: browser.find_element(By.CSS_SELECTOR, "[data-test=run-query-action]"))


def test_sql_lab_query(browser, superset, orders, artifacts):
    browser.get(f"{superset.url}/sqllab/")
    if not wait_for("SQL Lab", lambda: browser.find_elements(By.CSS_SELECTOR, ".ace_editor, [data-test=add-tab-icon]")):
        raise AssertionError("SQL Lab did not load")
    if not browser.find_elements(By.CSS_SELECTOR, ".ace_editor"):
        click(browser, lambda: browser.find_element(By.CSS_SELECTOR, "[data-test=add-tab-icon]"))
    by_text(browser, DATABASE)
    _sql_lab_run(
        browser, f'SELECT "{STATUS}" AS status, COUNT(*) AS orders FROM "{TABLE}" GROUP BY 1 ORDER BY 1 NULLS LAST'
    )
    counts = Counter(status for status, _ in orders)
    expected = [(s, str(n)) for s, n in sorted(counts.items(), key=lambda i: (i[0] is None, i[0] or ""))]
    rows = grid_rows(browser, len(expected))
    shot(browser, artifacts, "05-sql-lab-result")
    assert [(r["status"], r["orders"]) for r in rows] == [("NULL" if s is None else s, n) for s, n in expected]

    # A query on a table the dataspace lacks: Superset's table-does-not-exist error, not "base error".
    _sql_lab_run(browser, 'SELECT * FROM "no_such_table__dlm"')
    wait_for(
        "the table error", lambda: "does not exist in this dataspace" in browser.find_element(By.TAG_NAME, "body").text
    )
    shot(browser, artifacts, "06-sql-lab-missing-table")


def test_physical_dataset_from_a_reflected_table(browser, superset, artifacts):
    browser.get(f"{superset.url}/dataset/add/")
    choose(browser, "Select database or type to search databases", DATABASE)
    choose(browser, "Select schema", "default")  # schemas are dataspaces
    choose(browser, "Select table or type to search tables", TABLE)
    # The preview lists the table's reflected columns.
    wait_for("the reflected columns", lambda: STARTED in browser.find_element(By.TAG_NAME, "body").text)
    shot(browser, artifacts, "07-dataset-from-table")
    click(browser, lambda: button(browser, "Create and explore dataset"))
    wait_for("the chart type page", lambda: "/chart/add" in browser.current_url)


def _pick_column(browser, zone_text: str, column: str, index: int = 0) -> None:
    zones = wait_for(
        zone_text,
        lambda: [
            e
            for e in browser.find_elements(By.XPATH, f"//*[normalize-space(text())='{zone_text}']")
            if e.is_displayed()
        ],
    )
    click(browser, lambda: zones[index])
    choose(browser, "Columns and metrics", column, within=lambda: popover(browser))
    click(browser, lambda: browser.find_element(By.CSS_SELECTOR, "[data-test='ColumnEdit#save']"))


def _add_count_metric(browser) -> None:
    zones = wait_for(
        "the metrics zone",
        lambda: [
            e
            for e in browser.find_elements(
                By.XPATH, "//*[normalize-space(text())='Drop columns/metrics here or click']"
            )
            if e.is_displayed()
        ],
    )
    click(browser, lambda: zones[0])
    choose(browser, "Select saved metrics", "COUNT(*)", within=lambda: popover(browser))
    click(browser, lambda: browser.find_element(By.CSS_SELECTOR, "[data-test='AdhocMetricEdit#save']"))


def _run_chart(browser) -> None:
    click(
        browser,
        lambda: wait_for(
            "the run button",
            lambda: next(
                (
                    b
                    for b in browser.find_elements(By.TAG_NAME, "button")
                    if b.is_displayed() and b.text.strip() in ("Create chart", "Update chart") and b.is_enabled()
                ),
                None,
            ),
        ),
    )


def _results(browser, expected: int) -> list[dict[str, str]]:
    tab = wait_for(
        "the Results tab",
        lambda: next(
            (
                t
                for t in browser.find_elements(By.XPATH, "//*[@role='tab'][normalize-space(.)='Results']")
                if t.is_displayed()
            ),
            None,
        ),
    )
    if tab.get_attribute("aria-selected") != "true":
        click(browser, lambda: tab)
    return grid_rows(browser, expected)


def _save_chart(browser, name: str) -> None:
    click(browser, lambda: button(browser, "Save"))
    modal = wait_for(
        "the save modal",
        lambda: next((m for m in browser.find_elements(By.CSS_SELECTOR, ".ant-modal") if m.is_displayed()), None),
    )
    _type(modal.find_element(By.CSS_SELECTOR, "input[data-test=new-chart-name]"), name)
    click(browser, lambda: modal.find_element(By.CSS_SELECTOR, "[data-test=btn-modal-save]"))
    wait_for("the saved chart", lambda: "slice_id=" in browser.current_url)
    wait_for(
        f"the title {name!r}",
        lambda: (
            name
            in browser.execute_script(
                "return [...document.querySelectorAll('input')].map(i => i.value).join('|') + document.body.innerText"
            )
        ),
    )


def test_bar_chart(browser, superset, orders, artifacts):
    click(browser, lambda: by_text(browser, "Bar Chart"))
    click(browser, lambda: button(browser, "Create new chart"))
    wait_for("Explore", lambda: "/explore/" in browser.current_url)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(browser.current_url).query)
    state["datasource"] = (query.get("datasource_id") or [query.get("datasource", [""])[0].split("__")[0]])[0]
    _pick_column(browser, "Drop a column here or click", STATUS)
    _add_count_metric(browser)
    _run_chart(browser)
    counts = Counter(orders_status for orders_status, _ in orders)
    rows = _results(browser, len(counts))
    shot(browser, artifacts, "08-bar-chart")
    shown = {r[STATUS]: int(r["count"]) for r in rows}
    assert shown == {("N/A" if s is None else s): n for s, n in counts.items()}
    _save_chart(browser, "Orders by status")
    shot(browser, artifacts, "09-bar-chart-saved")


def _grain_key(text: str, grain: str) -> tuple[int, int]:
    year, month = map(int, re.match(r"(\d{4})-(\d{2})", text).groups())
    return (year, month) if grain == "Month" else (year, (month - 1) // 3 + 1)


def _expected(orders, grain: str) -> dict[tuple[int, int], int]:
    inside = [t.astimezone(timezone.utc) for _, t in orders if t is not None and RANGE[0] <= t < RANGE[1]]
    return Counter((t.year, t.month if grain == "Month" else (t.month - 1) // 3 + 1) for t in inside)


def _set_time_grain(browser, grain: str) -> None:
    header = by_text(browser, "Time Grain")
    select = header.find_element(
        By.XPATH, "./ancestor::div[.//div[contains(@class,'ant-select')]][1]//div[contains(@class,'ant-select')]"
    )
    click(browser, lambda: select)
    select.find_element(By.TAG_NAME, "input").send_keys(grain)
    option = wait_for(
        f"the grain {grain}",
        lambda: next(
            (
                o
                for o in browser.find_elements(
                    By.CSS_SELECTOR, ".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option"
                )
                if o.get_attribute("title") == grain or o.text.strip() == grain
            ),
            None,
        ),
    )
    click(browser, lambda: option)


def _time_range_filter(browser, start: str, end: str) -> None:
    click(browser, lambda: by_text(browser, f"{STARTED} (No filter)"))
    click(browser, lambda: popover(browser).find_element(By.CSS_SELECTOR, "[data-test=time-range-trigger]"))
    ranges = until_shown(
        "the advanced range inputs",
        lambda: choose(browser, "Range type", "Advanced"),
        lambda: [
            i
            for i in browser.find_elements(By.CSS_SELECTOR, ".ant-popover input:not([aria-label])")
            if i.is_displayed()
        ],
    )
    assert len(ranges) == 2
    _type(ranges[0], start)
    _type(ranges[1], end)
    click(browser, lambda: browser.find_element(By.CSS_SELECTOR, "[data-test=date-filter-control__apply-button]"))
    click(
        browser,
        lambda: wait_for(
            "the filter's save button",
            lambda: next(
                (
                    b
                    for b in browser.find_elements(By.CSS_SELECTOR, "[data-test=adhoc-filter-edit-popover-save-button]")
                    if b.is_displayed() and b.is_enabled()
                ),
                None,
            ),
        ),
    )
    by_text(browser, f"{start} ≤ {STARTED} < {end}")


def test_time_series_by_month_and_quarter_with_a_time_range(browser, superset, orders, artifacts):
    browser.get(
        f"{superset.url}/explore/?datasource_type=table&datasource_id={state['datasource']}&viz_type=echarts_timeseries_line"
    )
    by_text(browser, "Line Chart")
    _pick_column(browser, "Drop a column here or click", STARTED)
    _set_time_grain(browser, "Month")
    _add_count_metric(browser)
    _time_range_filter(browser, "2024-01-01", "2025-01-01")
    _run_chart(browser)
    for grain, name in (("Month", "10-time-series-month"), ("Quarter", "11-time-series-quarter")):
        if grain == "Quarter":
            _set_time_grain(browser, grain)
            _run_chart(browser)
        expected = _expected(orders, grain)
        rows = _results(browser, len(expected))
        shot(browser, artifacts, name)
        shown = {_grain_key(r[STARTED], grain): int(r["count"]) for r in rows}
        assert shown == expected, grain
    _save_chart(browser, "Orders per quarter, 2024")
    shot(browser, artifacts, "12-time-series-saved")
