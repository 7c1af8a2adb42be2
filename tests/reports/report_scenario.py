"""Three working days and a holiday through the real engine (tests/reports).

Hall: tests/engine's small hall with MZ-02 "承诺2个工作日", GH-01 "承诺1个工作日",
Fri 2026-11-27 a holiday, [reports] busy_per_day 1. Days: Wed 11-25 (d1), Thu 11-26 (d2),
(Fri holiday, weekend), Mon 11-30 (d3). Hand-computed figures: tests/reports/test_reports.py.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from hub.catalogue import Hall, parse_catalogue
from hub.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
from engine_helpers import Desk, at, citizen, clerk  # noqa: E402

D1, D2, HOLIDAY, D3 = date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)


CATALOGUE = """
[hall]
id = "test"
name = "测试政务服务中心"
name_en = "Test Government Service Center"
timezone = "Asia/Shanghai"

[calendar]
holidays = ["2026-11-27"]

[reports]
busy_per_day = 1
vacant_share = 0.5

[[departments]]
code = "MZ"
name = "民政局"
name_en = "Civil Affairs Bureau"
prefix = "A"

[[departments]]
code = "GH"
name = "规划分局"
name_en = "Planning Branch"
prefix = "B"

[[services]]
code = "MZ-01"
department = "MZ"
name = "社会团体审批"
name_en = "Social organisation approval"
minutes = 10

[[services]]
code = "MZ-02"
department = "MZ"
name = "民办非企业单位登记"
name_en = "Private non-enterprise registration"
minutes = 20
[services.guide]
time_limit = "承诺2个工作日"

[[services]]
code = "GH-01"
department = "GH"
name = "建设工程规划许可"
name_en = "Construction planning permit"
minutes = 15
[services.guide]
time_limit = "承诺1个工作日"

[[services]]
code = "GH-02"
department = "GH"
name = "乡村建设规划许可"
name_en = "Rural construction planning permit"
prefix = "C"
minutes = 30

[[windows]]
number = 1
name = "1号窗口"
name_en = "Window 1"
services = ["MZ-01", "MZ-02"]

[[windows]]
number = 2
name = "2号窗口"
name_en = "Window 2"
services = ["MZ-01", "GH-01"]

[[windows]]
number = 3
name = "3号窗口"
name_en = "Window 3"
services = ["GH-01", "GH-02"]

[[windows]]
number = 4
name = "4号窗口"
name_en = "Window 4"
services = ["GH-02"]

[[staff]]
id = "c1"
name = "张敏"
windows = [1]

[[staff]]
id = "c2"
name = "李强"
windows = [2]

[[staff]]
id = "c3"
name = "王芳"
windows = [3]

[[staff]]
id = "s1"
name = "刘洋"
supervisor = true
"""


def report_hall() -> Hall:
    """The scenario's hall, from its catalogue text."""
    return parse_catalogue(CATALOGUE, "scenario")


def run_scenario() -> tuple[Hall, dict[str, list[dict[str, Any]]], dict[str, str]]:
    """The hall, the events of each day (by day) and the ticket ids by name."""
    hall = report_hall()
    desk = Desk(Engine(hall, D1))
    ids: dict[str, str] = {}
    by_day: dict[str, list[dict[str, Any]]] = {}
    # --- day 1
    desk.open(1, at("09:00:00", D1))
    desk.open(2, at("09:00:00", D1))
    for name, svc in (
        ("t1", "MZ-01"),
        ("t2", "MZ-02"),
        ("t3", "GH-01"),
        ("t4", "GH-01"),
        ("t6", "GH-01"),
    ):
        ids[name] = desk.issue(svc, at("09:00:00", D1))
    desk.call(1, ids["t1"], at("09:05:00", D1))
    desk.start(1, at("09:06:00", D1))
    desk.finish(1, at("09:16:00", D1))
    desk.rate(ids["t1"], 5, at("09:17:00", D1))
    desk.run(citizen(ids["t1"]), {"type": "complain", "text": "窗口态度差"}, at("09:18:00", D1))
    desk.call(2, ids["t3"], at("09:10:00", D1))
    desk.no_show(2, at("09:13:00", D1))
    desk.call(2, ids["t4"], at("09:14:00", D1))
    desk.start(2, at("09:15:00", D1))
    desk.transfer(2, at("09:20:00", D1), service="MZ-01", to_window=1)
    desk.call(1, ids["t2"], at("09:20:00", D1))
    desk.start(1, at("09:21:00", D1))
    desk.finish(1, at("09:41:00", D1), outcome="pending")
    desk.call(2, ids["t6"], at("09:25:00", D1))
    desk.start(2, at("09:26:00", D1))
    desk.finish(2, at("09:36:00", D1), outcome="pending")
    desk.call(1, ids["t4"], at("09:45:00", D1))
    desk.start(1, at("09:46:00", D1))
    desk.finish(1, at("09:50:00", D1))
    desk.rate(ids["t4"], 1, at("09:51:00", D1), reason="等太久")
    desk.pause(1, at("10:00:00", D1))
    desk.resume(1, at("10:10:00", D1))
    desk.logout(1, at("12:00:00", D1))
    desk.logout(2, at("12:00:00", D1))
    by_day[D1.isoformat()] = desk.events
    # --- day 2
    desk.events = []
    desk.roll(at("08:00:00", D2))
    desk.open(1, at("09:00:00", D2))
    ids["t7"] = desk.issue("MZ-01", at("09:00:00", D2))
    desk.call(1, ids["t7"], at("09:50:00", D2))
    desk.start(1, at("09:51:00", D2))
    desk.finish(1, at("10:01:00", D2))
    desk.logout(1, at("11:00:00", D2))
    by_day[D2.isoformat()] = desk.events
    # --- day 3
    desk.events = []
    desk.roll(at("08:00:00", D3))
    desk.open(1, at("09:00:00", D3))
    ids["t8"] = desk.issue("MZ-01", at("09:00:00", D3))
    desk.call(1, ids["t8"], at("09:01:00", D3))
    desk.start(1, at("09:02:00", D3))
    desk.finish(1, at("09:12:00", D3))
    # t2 (承诺件, due 11-30) completed on time by window 1's clerk
    desk.run(clerk(1), {"type": "complete_case", "case": ids["t2"]}, at("09:30:00", D3))
    desk.logout(1, at("10:00:00", D3))
    by_day[D3.isoformat()] = desk.events
    return hall, by_day, ids
