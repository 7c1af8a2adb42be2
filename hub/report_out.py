"""Period reports in and out: periods, loading from the store, table / CSV / JSON text.

The figures themselves are hub/reports.py's (pure); this module reads the store (daily
rollups, written lazily for closed days; the `cases` table) and formats the result.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.catalogue import Hall
from hub.reports import LISTS, Rollup, build_report, merge_rollups, rollup_day, sum_totals
from hub.store import Store


class PeriodError(ValueError):
    """A period the user gave that does not parse (bilingual message)."""


def parse_period(
    day: str | None = None,
    week: str | None = None,
    month: str | None = None,
    start: str | None = None,
    end: str | None = None,
    first_day: date | None = None,
    today: date | None = None,
) -> tuple[date, date]:
    """The first and last day of the period one of the options names."""
    try:
        if day:
            try:
                d = date.fromisoformat(day)
            except ValueError:
                raise PeriodError(
                    f"--day {day} 不是有效日期 / is not a valid date (YYYY-MM-DD)"
                ) from None
            return d, d
        if week:
            m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", week.strip(), re.I)
            if not m:
                raise ValueError
            mon = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return mon, mon + timedelta(days=6)
        if month:
            m = re.fullmatch(r"(\d{4})-(\d{1,2})", month.strip())
            if not m:
                raise ValueError
            first = date(int(m.group(1)), int(m.group(2)), 1)
            nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        if start or end:
            a = date.fromisoformat(start) if start else (first_day or date.fromisoformat(end or ""))
            b = date.fromisoformat(end) if end else (today or a)
            if b < a:
                raise PeriodError(
                    f"时段结束早于开始 / the period ends ({b}) before it starts ({a})"
                )
            return a, b
    except PeriodError:
        raise
    except ValueError:
        given = day or week or month or f"{start} .. {end}"
        raise PeriodError(
            f"无法识别的时段 {given!r} / not a period: give --day YYYY-MM-DD, --week YYYY-Www, "
            "--month YYYY-MM or --from YYYY-MM-DD --to YYYY-MM-DD"
        ) from None
    if first_day is None or today is None:
        raise PeriodError("尚无任何记录 / no records yet")
    return first_day, today


def load_report(
    store: Store,
    hall: Hall,
    start: date,
    end: date,
    today: date,
    parts: dict[str, Any] | None = None,
    today_rollup: Callable[[], Rollup | None] | None = None,
) -> dict[str, Any]:
    """The period report: stored rollups (missing closed days computed and stored first),
    today's from its live events, promised cases from the `cases` table (else the rollups).

    A period reaching past today ends today: figures "at the period's end" are as of now.

    `today_rollup`, when given, gives today's rollup (None for a day without events) from
    state the caller keeps: the hub's engine folds each event as it applies it
    (`hub.reports.LiveDay`), so its reports never read today's events again. Without it
    (`hall report`, another process) today's events are read from the store and folded.
    """
    end = max(start, min(end, today))
    store.ensure_rollups(hall, today.isoformat())
    # the cases table's promised cases counted in SQL (a year holds ~78,000 of them)
    counts = store.case_counts(hall.id, start.isoformat(), end.isoformat())
    rollups: list[dict[str, Any]] = []
    d = start
    while d <= end:  # whole closed months as one stored span each, the other days one by one
        first = d.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if d == first and last <= end and last < today:
            key = f"M{first:%Y-%m}"
            span = store.get_span(hall.id, key)
            if span is None:
                days = store.rollups(hall.id, first.isoformat(), last.isoformat())
                span = merge_rollups(hall, first.isoformat(), last.isoformat(), days)
                store.put_span(hall.id, key, span)
            span.pop("day", None)
            rollups.append(span)
            d = last + timedelta(days=1)
        else:
            stop = min(end, last)
            rollups += store.rollups(hall.id, d.isoformat(), stop.isoformat())
            d = stop + timedelta(days=1)
    live = None
    if start <= today <= end:
        if today_rollup is not None:
            live = today_rollup()
        else:
            events = store.events_of_day(hall.id, today.isoformat())
            live = rollup_day(hall, today, events) if events else None
        if live is not None:
            rollups.append(live)
    # days recorded before cases were: their promised cases as the rollups derived them
    derived = store.rollup_promised(hall.id, end.isoformat())
    if live is not None and live["cases_from"] == "tickets":
        derived += live["promised"]
    if counts is not None and derived:
        known = store.case_ids(hall.id, (c["id"] for c in derived))
        derived = [c for c in derived if c["id"] not in known]
    return build_report(hall, start, end, rollups, derived, parts=parts, case_counts=counts)


def district_report(
    store: Store,
    start: date,
    end: date,
    halls: Iterable[str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The period report across the halls of a district database (`hall report
    --district`): each hall's report by `load_report` through `hub.district.per_hall`,
    its totals in `halls` (keyed by `hall`), its rows in the view lists (each with its
    `hall`), and the district's totals in `hall`: every count the sum of the halls', every
    rate recomputed from the summed counts."""
    from hub.district import per_hall

    def one(
        s: Store, hall: Hall, period: tuple[date, date]
    ) -> tuple[Hall, dict[str, Any], dict[str, Any]]:
        parts: dict[str, Any] = {}
        rep = load_report(s, hall, period[0], period[1], hall_today(hall, now), parts)
        return hall, rep, parts

    got = per_hall(store, one, (start, end), halls)
    if not got:
        raise PeriodError("区级数据库中没有大厅 / no halls in this district database")
    reports = {hid: rep for hid, (_, rep, _) in got.items()}
    out: dict[str, Any] = {
        "from": start.isoformat(),
        "to": max(rep["to"] for rep in reports.values()),
        "working_days": max(rep["working_days"] for rep in reports.values()),
        "hall": sum_totals(parts for _, _, parts in got.values()),
        "halls": [
            {"hall": hid, "name": hall.name, **rep["hall"]} for hid, (hall, rep, _) in got.items()
        ],
    }
    for lst in LISTS.values():
        out[lst] = [{"hall": hid, **row} for hid, rep in reports.items() for row in rep[lst]]
    days: dict[str, dict[str, Any]] = {}
    for rep in reports.values():
        for d in rep.get("days", []):
            day = days.setdefault(d["day"], {"day": d["day"], "received": 0, "completed": 0})
            day["received"] += d["received"]
            day["completed"] += d["completed"]
    out["days"] = [days[k] for k in sorted(days)]
    out["overdue_cases"] = [
        {"hall": hid, **c} for hid, rep in reports.items() for c in rep["overdue_cases"]
    ]
    return out


def hall_today(hall: Hall, now: datetime | None = None) -> date:
    """The hall-local date now."""
    return (now or datetime.now(ZoneInfo(hall.timezone))).astimezone(ZoneInfo(hall.timezone)).date()


# --- text formats -----------------------------------------------------------------------------

# (key, 中文, English, kind) kind: n number, r rate, d duration m:ss, h duration h:mm, s text
COLUMNS: list[tuple[str, str, str, str]] = [
    ("name", "名称", "Name", "s"),
    ("class", "类别", "Class", "c"),
    ("rank", "排名", "Rank", "n"),
    ("received", "收件(件)", "Received", "n"),
    ("completed", "办结(件)", "Completed", "n"),
    ("completion_rate", "办结率", "Completion rate", "r"),
    ("on_time_rate", "按时办结率", "On-time rate", "r"),
    ("open", "在办(件)", "Open", "n"),
    ("overdue", "超期(件)", "Overdue", "n"),
    ("instant", "即办件", "Instant", "n"),
    ("promised", "承诺件", "Promised", "n"),
    ("returned", "退件", "Returned", "n"),
    ("tickets", "叫号(张)", "Tickets", "n"),
    ("no_show", "过号(张)", "No-shows", "n"),
    ("avg_wait_s", "平均等候", "Mean wait", "d"),
    ("p90_wait_s", "90%等候", "P90 wait", "d"),
    ("over_target_rate", "超时等候占比", "Waits over target", "r"),
    ("avg_walk_s", "平均到窗", "Mean walk", "d"),
    ("avg_service_s", "平均办理", "Mean service", "d"),
    ("handoffs_in", "转入", "Handoffs in", "n"),
    ("handoffs_out", "转出", "Handoffs out", "n"),
    ("first_responsibility_closure_rate", "首问办结率", "First-resp. closure", "r"),
    ("days_present", "在岗天数", "Days present", "n"),
    ("on_duty_s", "在岗时长", "On duty", "h"),
    ("paused_s", "暂停时长", "Paused", "h"),
    ("ratings", "评价(次)", "Ratings", "n"),
    ("rating_avg", "平均评分", "Mean rating", "f"),
    ("bad_rating_rate", "差评率", "Bad ratings", "r"),
    ("complaints", "投诉(次)", "Complaints", "n"),
    ("complaints_answered", "投诉已答复", "Complaints answered", "n"),
    ("complaints_rejected", "投诉不予受理", "Complaints rejected", "n"),
    ("avg_answer_s", "平均答复用时", "Mean time to answer", "h"),
    ("bookings_checked_in", "预约签到", "Bookings checked in", "n"),
    ("bookings_no_show", "预约爽约", "Booking no-shows", "n"),
    ("bookings_missed", "预约签到后过号", "Booking no-shows after check-in", "n"),
    ("consultations", "咨询(次)", "Consultations", "n"),
    ("consult_answered", "当场解答", "Answered", "n"),
    ("consult_guided", "引导到窗口", "Guided", "n"),
    ("consult_ticket", "代取号", "Tickets issued", "n"),
    ("consult_referred", "外转", "Referred", "n"),
    ("consult_minutes", "咨询时长(分)", "Consulting minutes", "n"),
]
KEY_HEADERS = {
    "window": ("窗口", "Window"),
    "department": ("部门", "Department"),
    "clerk": ("工作人员", "Clerk"),
    "service": ("事项", "Service"),
}
CLASS_NAMES = {
    "busy": ("业务量较大", "Busy"),
    "sparse": ("零星业务", "Sparse"),
    "none": ("无业务", "No business"),
    "vacant": ("长期空岗", "Long vacant"),
}


def mmss(v: float | None) -> str:
    """A duration as m:ss (minutes may exceed 59)."""
    if v is None:
        return "-"
    s = int(round(v))
    return f"{s // 60}:{s % 60:02d}"


def hhmm(v: float | None) -> str:
    """A duration as h:mm."""
    if v is None:
        return "-"
    m = int(round(v / 60))
    return f"{m // 60}:{m % 60:02d}"


def cell(v: Any, kind: str, lang: str) -> str:
    """One value as the table shows it."""
    if v is None:
        return "-"
    if kind == "r":
        return f"{100 * v:.1f}%"
    if kind == "d":
        return mmss(v)
    if kind == "h":
        return hhmm(v)
    if kind == "f":
        return f"{v:.2f}"
    if kind == "c":
        return CLASS_NAMES[v][0 if lang == "zh" else 1]
    return str(v)


def view_columns(view: str) -> list[tuple[str, str, str, str]]:
    """The columns of one view's table (class only for windows and departments)."""
    zh, en = KEY_HEADERS[view]
    cols = [(view, zh, en, "s"), *COLUMNS]
    if view not in ("window", "department"):
        cols = [c for c in cols if c[0] != "class"]
    return cols


def render(report: dict[str, Any], view: str, fmt: str, lang: str = "zh") -> str:
    """The report as text: `table`, `csv` or `json`."""
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    cols = view_columns(view)
    if "halls" in report:  # a district report: rows of every hall, and the halls' totals
        cols = [("hall", "大厅", "Hall", "s"), *cols]
    i = 1 if lang == "zh" else 2
    rows = report[LISTS[view]]
    buf = io.StringIO()
    if fmt == "csv":
        w = csv.writer(buf)
        w.writerow([c[i] for c in cols])
        for r in rows:
            w.writerow([cell(r.get(c[0]), c[3], lang) for c in cols])
        return buf.getvalue()
    h = report["hall"]
    title = (
        f"{report['from']} — {report['to']}  收件 {h['received']}  办结 {h['completed']}  "
        f"办结率 {cell(h['completion_rate'], 'r', lang)}  超期 {h['overdue']}"
        if lang == "zh"
        else f"{report['from']} to {report['to']}  received {h['received']}  completed "
        f"{h['completed']}  completion rate {cell(h['completion_rate'], 'r', lang)}  overdue {h['overdue']}"
    )
    buf.write(title + "\n")
    for hr in report.get("halls", []):  # a district report: each hall's totals first
        buf.write(
            f"  {hr['hall']} {hr['name']}  "
            + (
                f"收件 {hr['received']}  办结 {hr['completed']}  办结率 {cell(hr['completion_rate'], 'r', lang)}  超期 {hr['overdue']}"
                if lang == "zh"
                else f"received {hr['received']}  completed {hr['completed']}  completion rate {cell(hr['completion_rate'], 'r', lang)}  overdue {hr['overdue']}"
            )
            + "\n"
        )
    table = [[c[i] for c in cols]] + [[cell(r.get(c[0]), c[3], lang) for c in cols] for r in rows]
    buf.write("\n".join("\t".join(line) for line in table) + "\n")
    return buf.getvalue()
