"""The supervisors' reports page (/reports) in a real browser against a real hub."""

from __future__ import annotations

from typing import Any

import pytest
from axe import assert_accessible
from test_supervisor import busy_day, login, service_of

pytestmark = pytest.mark.browser


async def test_reports_page_tables_charts_downloads(
    hub, open_page, kiosk, counter, proto, supervisor_client, tmp_path
) -> None:
    await busy_day(hub, kiosk, counter, proto)
    # the consultation desk answers two questions
    desk_staff = hub.clerk(24)[0]
    assert hub.store.update_staff(hub.hall.id, desk_staff, desk=True)
    desk = await proto(role="desk", staff=desk_staff, pin=hub.clerk(24)[1])
    await desk.ok("consult", topic="公积金提取去哪里办", outcome="referred", minutes=2)
    await desk.ok("consult", topic=service_of(hub, 5), outcome="answered", minutes=1)
    page, rec = await open_page(hub.http + "/reports")
    assert await page.is_visible("#login-form")
    await assert_accessible(page, "/reports login")
    await login(page, *hub.supervisor)
    await page.wait_for_function("() => document.body.dataset.loaded")
    start, end = (await page.evaluate("() => document.body.dataset.loaded")).split("/")
    ok = await supervisor_client.ok("report", **{"from": start, "to": end})
    report: dict[str, Any] = ok["report"]
    w5 = next(r for r in report["windows"] if r["window"] == 5)
    assert w5["received"] >= 1 and w5["tickets"] >= 2 and w5["no_show"] == 1
    # the table shows the hub's figures, one row per window
    rows = await page.eval_on_selector_all("#table tbody tr", "rs => rs.map(r => r.dataset.key)")
    assert sorted(rows, key=int) == sorted((str(r["window"]) for r in report["windows"]), key=int)
    cells = await page.eval_on_selector_all(
        "#table tbody tr[data-key='5'] td", "ts => ts.map(t => t.textContent)"
    )
    heads = await page.eval_on_selector_all("#table thead th", "ts => ts.map(t => t.dataset.key)")
    row = dict(zip(heads, cells, strict=True))
    assert row["received"] == str(w5["received"]) and row["no_show"] == "1"
    assert row["tickets"] == str(w5["tickets"])
    assert row["class"] in ("业务量较大", "零星业务", "无业务", "长期空岗")
    total = await page.text_content("#totals [data-key='Received'] b")
    assert total == str(report["hall"]["received"])
    # the day's consultations and bookings are in the totals too
    assert report["hall"]["consultations"] == 2
    consults = await page.text_content("#totals [data-key='Consultations'] b")
    assert consults == "2"
    for key, field in (("Bookings checked in", "bookings_checked_in"),
                       ("Booking no-shows", "bookings_no_show")):  # fmt: skip
        shown = await page.text_content(f"#totals [data-key='{key}'] b")
        assert shown == str(report["hall"][field])
    # sortable: a click on 收件 sorts ascending, a second descending
    await page.click("#table thead th[data-key='received']")
    asc = await page.eval_on_selector_all(
        "#table tbody tr", "rs => rs.map(r => r.cells[4].textContent)"
    )
    await page.click("#table thead th[data-key='received']")
    desc = await page.eval_on_selector_all(
        "#table tbody tr", "rs => rs.map(r => r.cells[4].textContent)"
    )
    assert [int(x) for x in asc] == sorted(int(x) for x in asc)
    assert [int(x) for x in desc] == sorted((int(x) for x in desc), reverse=True)
    # the charts are inline SVG drawn from the report
    for chart in ("chart-daily", "chart-waits", "chart-departments"):
        assert await page.locator(f"#{chart} svg").count() == 1
    assert await page.locator("#chart-departments rect").count() >= 2
    assert await page.locator("#chart-daily polyline").count() == 2
    await assert_accessible(page, "/reports by window with its charts")
    # another view
    await page.select_option("#view", "department")
    deps = await page.eval_on_selector_all("#table tbody tr", "rs => rs.map(r => r.dataset.key)")
    assert set(deps) == {d["department"] for d in report["departments"]}
    await assert_accessible(page, "/reports by department, sorted")
    # downloads: CSV and xlsx from the hub
    async with page.expect_download() as info:
        await page.click("#dl-csv")
    csv_path = tmp_path / "r.csv"
    await (await info.value).save_as(csv_path)
    assert csv_path.read_text(encoding="utf-8-sig").startswith("部门,名称,类别")
    async with page.expect_download() as info:
        await page.click("#dl-xlsx")
    xlsx_path = tmp_path / "r.xlsx"
    await (await info.value).save_as(xlsx_path)
    import openpyxl

    wb = openpyxl.load_workbook(xlsx_path)
    assert wb["窗口"].max_row == len(report["windows"]) + 1
    # nothing from outside the hub, no script errors
    assert rec.outside((hub.http, hub.url.rsplit("/ws", 1)[0], "blob:")) == []
    assert rec.errors == []


async def test_report_command_refusals(hub, supervisor_client, counter) -> None:
    c = await counter(5)
    with pytest.raises(Exception, match="forbidden"):
        await c.ok("report", **{"from": "2026-11-01", "to": "2026-11-30"})
    with pytest.raises(Exception, match="bad_args"):
        await supervisor_client.ok("report", **{"from": "2026-11-31", "to": "2026-11-30"})
    with pytest.raises(Exception, match="bad_args"):
        await supervisor_client.ok("report", **{"from": "2026-11-30", "to": "2026-11-01"})
