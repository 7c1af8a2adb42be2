"""The period report as an xlsx workbook (openpyxl): a summary sheet, one sheet per view, charts.

Values are the report's (hub/reports.py) as they are: counts as numbers, rates as
fractions shown as percentages, durations as days (Excel's time unit) shown as
[m]:ss or [h]:mm. A sheet "每日" holds the daily series the line chart draws.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hub.report_out import CLASS_NAMES, view_columns
from hub.reports import LISTS, VIEWS

SHEETS = {"window": "窗口", "department": "部门", "clerk": "工作人员", "service": "事项"}
SHEETS_EN = {
    "window": "Windows",
    "department": "Departments",
    "clerk": "Clerks",
    "service": "Services",
}
FORMATS = {"r": "0.0%", "d": "[m]:ss", "h": "[h]:mm", "f": "0.00", "n": "0"}


def xlsx_value(v: Any, kind: str, lang: str) -> Any:
    """One report value as the workbook stores it."""
    if v is None:
        return None
    if kind in ("d", "h"):
        return v / 86400
    if kind == "c":
        return CLASS_NAMES[v][0 if lang == "zh" else 1]
    return v


def _widths(ws: Any) -> None:
    for col in ws.columns:
        longest = max(
            (
                sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(c.value))
                for c in col
                if c.value is not None
            ),
            default=4,
        )
        ws.column_dimensions[get_column_letter(col[0].column)].width = min(40, longest + 3)


def write_xlsx(report: dict[str, Any], path: str | BinaryIO, lang: str = "zh") -> None:
    """Write the workbook to `path` (a file name or a binary file)."""
    zh = lang == "zh"
    i = 1 if zh else 2
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总" if zh else "Summary"
    summary.append(["时段" if zh else "Period", f"{report['from']} — {report['to']}"])
    summary.append(["工作日" if zh else "Working days", report["working_days"]])
    for key, zh_h, en_h, kind in view_columns("window")[1:]:
        if key in report["hall"] and key not in ("name", "class", "rank"):
            summary.append([zh_h if zh else en_h, xlsx_value(report["hall"][key], kind, lang)])
            summary.cell(summary.max_row, 2).number_format = FORMATS.get(kind, "General")
    for c in summary["A"]:
        c.font = Font(bold=True)
    _widths(summary)
    for view in VIEWS:
        ws = wb.create_sheet(SHEETS[view] if zh else SHEETS_EN[view])
        cols = view_columns(view)
        ws.append([c[i] for c in cols])
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in report[LISTS[view]]:
            ws.append([xlsx_value(row.get(c[0]), c[3], lang) for c in cols])
        for j, c in enumerate(cols, 1):
            fmt = FORMATS.get(c[3])
            if fmt:
                for r in range(2, ws.max_row + 1):
                    ws.cell(r, j).number_format = fmt
        ws.freeze_panes = "B2"
        _widths(ws)
        if view == "department" and report[LISTS[view]]:
            keys = [c[0] for c in cols]
            chart = BarChart()
            chart.title = "各部门收件与办结" if zh else "Received and completed per department"
            n = ws.max_row
            for key in ("received", "completed"):
                col = keys.index(key) + 1
                chart.add_data(
                    Reference(ws, min_col=col, min_row=1, max_row=n), titles_from_data=True
                )
            chart.set_categories(
                Reference(ws, min_col=keys.index("name") + 1, min_row=2, max_row=n)
            )
            chart.width, chart.height = 24, 10
            ws.add_chart(chart, f"A{n + 3}")
    daily = wb.create_sheet("每日" if zh else "Daily")
    daily.append(
        ["日期" if zh else "Day", "收件" if zh else "Received", "办结" if zh else "Completed"]
    )
    for c in daily[1]:
        c.font = Font(bold=True)
    for d in report.get("days", []):
        daily.append([d["day"], d["received"], d["completed"]])
    daily.freeze_panes = "A2"
    _widths(daily)
    if daily.max_row > 1:
        line = LineChart()
        line.title = "每日收件与办结" if zh else "Daily received and completed"
        line.add_data(
            Reference(daily, min_col=2, max_col=3, min_row=1, max_row=daily.max_row),
            titles_from_data=True,
        )
        line.set_categories(Reference(daily, min_col=1, min_row=2, max_row=daily.max_row))
        line.width, line.height = 24, 10
        daily.add_chart(line, "E2")
    wb.save(path)
