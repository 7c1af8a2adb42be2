"""A fixed welcome frame for kiosk snapshot tests (no hub, no network, nothing that changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

FROZEN_NOW = datetime(2026, 11, 26, 9, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _guide(
    materials: list[str], materials_en: list[str], fee: str, fee_en: str, limit: str, limit_en: str
) -> dict[str, Any]:
    return {
        "materials": materials,
        "materials_en": materials_en,
        "fee": fee,
        "fee_en": fee_en,
        "time_limit": limit,
        "time_limit_en": limit_en,
    }


HALL: dict[str, Any] = {
    "id": "demo",
    "name": "万柏林区政务服务中心",
    "name_en": "Wanbailin District Government Service Center",
    "timezone": "Asia/Shanghai",
    "departments": [
        {"code": "MZ", "name": "民政局", "name_en": "Civil Affairs Bureau", "prefix": "A"},
        {"code": "GS", "name": "市场监督管理局", "name_en": "Market Regulation", "prefix": "B"},
        {"code": "GT", "name": "自然资源局", "name_en": "Natural Resources", "prefix": "C"},
        {
            "code": "RS",
            "name": "人力资源和社会保障局",
            "name_en": "Human Resources and Social Security",
            "prefix": "G",
        },
        {"code": "WS", "name": "卫生健康局", "name_en": "Health Commission", "prefix": "K"},
    ],
    "services": [
        {
            "code": "MZ-01",
            "department": "MZ",
            "name": "社会团体成立登记",
            "name_en": "Registration of a social organisation",
            "prefix": "A",
            "minutes": 15,
            "guide": _guide(
                ["申请书", "章程草案", "法定代表人身份证明"],
                ["Application form", "Draft articles", "ID of the legal representative"],
                "不收费",
                "Free",
                "20个工作日",
                "20 working days",
            ),
        },
        {
            "code": "MZ-02",
            "department": "MZ",
            "name": "民办非企业单位登记",
            "name_en": "Registration of a private non-enterprise unit",
            "prefix": "A",
            "minutes": 12,
            "guide": _guide(
                ["申请书", "场所使用证明"],
                ["Application form", "Proof of premises"],
                "不收费",
                "Free",
                "15个工作日",
                "15 working days",
            ),
        },
        {
            "code": "GS-01",
            "department": "GS",
            "name": "个体工商户登记",
            "name_en": "Registration of a sole trader",
            "prefix": "B",
            "minutes": 10,
            "guide": _guide(
                ["身份证", "经营场所证明"],
                ["ID card", "Proof of business premises"],
                "不收费",
                "Free",
                "即办",
                "On the spot",
            ),
        },
        {
            "code": "GT-01",
            "department": "GT",
            "name": "建设用地规划许可",
            "name_en": "Land-use planning permit",
            "prefix": "C",
            "minutes": 25,
            "guide": _guide(
                ["申请表", "用地红线图"],
                ["Application form", "Site boundary map"],
                "按规定收费",
                "As regulated",
                "20个工作日",
                "20 working days",
            ),
        },
        {
            "code": "RS-01",
            "department": "RS",
            "name": "社会保险登记",
            "name_en": "Social insurance registration",
            "prefix": "G",
            "minutes": 8,
            "guide": _guide(
                ["营业执照", "法定代表人身份证"],
                ["Business licence", "ID of the legal representative"],
                "不收费",
                "Free",
                "即办",
                "On the spot",
            ),
        },
        {
            "code": "WS-01",
            "department": "WS",
            "name": "医疗机构执业登记",
            "name_en": "Licensing of a medical institution",
            "prefix": "K",
            "minutes": 20,
            "guide": _guide([], [], "不收费", "Free", "45个工作日", "45 working days"),
        },
    ],
    "windows": [
        {"number": 1, "name": "1号窗口", "name_en": "Window 1", "services": ["MZ-01", "MZ-02"]},
        {"number": 2, "name": "2号窗口", "name_en": "Window 2", "services": ["MZ-01", "GS-01"]},
        {"number": 3, "name": "3号窗口", "name_en": "Window 3", "services": ["GT-01"]},
        {"number": 4, "name": "4号窗口", "name_en": "Window 4", "services": ["RS-01", "WS-01"]},
    ],
    "policy": {"max_wait_minutes": 45, "priority_run": 2},
}


def welcome() -> dict[str, Any]:
    """A kiosk welcome with a few tickets waiting and two windows open."""
    windows = [
        {
            **w,
            "state": "open" if w["number"] in (1, 2) else "closed",
            "staff": None,
            "current": None,
            "pause_reason": None,
        }
        for w in HALL["windows"]
    ]
    return {
        "type": "welcome",
        "v": 1,
        "role": "kiosk",
        "seq": 10,
        "day": "2026-11-26",
        "hall": HALL,
        "state": {
            "tickets": [],
            "windows": windows,
            "waiting": {"MZ-01": 3, "MZ-02": 1, "GS-01": 0, "GT-01": 2, "RS-01": 5, "WS-01": 0},
            # what a new ticket would be told (windows 1 and 2 open; 3 and 4 closed)
            "estimates": {
                "MZ-01": {"ahead": 4, "eta_min": 30},
                "MZ-02": {"ahead": 4, "eta_min": 30},
                "GS-01": {"ahead": 0, "eta_min": 0},
                "GT-01": {"ahead": 2, "eta_min": None},
                "RS-01": {"ahead": 5, "eta_min": None},
                "WS-01": {"ahead": 5, "eta_min": None},
            },
            "notice": None,
            "recent_calls": [],
        },
    }


def issue_reply() -> dict[str, Any]:
    """An `issue` ok reply as the hub would send it for MZ-01."""
    return {
        "type": "ok",
        "re": "x",
        "ticket": {
            "id": "20261126-A004",
            "number": "A004",
            "service": "MZ-01",
            "department": "MZ",
            "priority": "normal",
            "state": "waiting",
            "issued_at": "2026-11-26T09:15:00.000000+08:00",
            "queued_at": "2026-11-26T09:15:00.000000+08:00",
            "called_at": None,
            "started_at": None,
            "ended_at": None,
            "window": None,
            "staff": None,
            "target_window": None,
            "recalls": 0,
            "first_responsible": None,
            "handoffs": [],
        },
        "ahead": 3,
        "eta_min": 23,
        "token": "Xq3kP9sT2vW8yZ1aB4cD6e",
        "url": "http://192.168.1.10:8765/t/Xq3kP9sT2vW8yZ1aB4cD6e",
    }
