"""The supervisor's alert rules (shared/alerts.py): limits, the strict comparison, the order."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.alerts import (
    KINDS,
    MAX_WAIT_DEFAULT,
    PAUSE_MINUTES,
    exceeds,
    is_bad_rating,
    max_wait_minutes,
    raise_alerts,
)
from shared.protocol import W_OPEN, W_PAUSED, WAITING, iso

NOW = datetime(2026, 11, 26, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def ago(minutes: float) -> str | None:
    return iso(NOW - timedelta(minutes=minutes))


def ticket(tid: str, waited_min: float, state: str = WAITING) -> dict[str, Any]:
    return {"id": tid, "number": tid[-4:], "state": state, "queued_at": ago(waited_min)}


def test_a_limit_is_passed_only_when_strictly_longer() -> None:
    # DESIGN: overdue means "waiting longer than max_wait_minutes"; the calling order agrees
    assert not exceeds(45 * 60, 45)
    assert exceeds(45 * 60 + 0.001, 45)
    assert max_wait_minutes({"max_wait_minutes": 30}) == 30
    assert max_wait_minutes({}) == max_wait_minutes(None) == MAX_WAIT_DEFAULT
    assert max_wait_minutes({"max_wait_minutes": 0}) == MAX_WAIT_DEFAULT
    assert is_bad_rating(1) and is_bad_rating(2)
    assert not is_bad_rating(3) and not is_bad_rating(None) and not is_bad_rating(True)


def test_alerts_of_a_hall_in_kind_order() -> None:
    windows = [
        {"number": 2, "state": W_PAUSED, "services": ["B"], "paused_at": ago(PAUSE_MINUTES + 1)},
        {"number": 1, "state": W_PAUSED, "services": ["A"], "paused_at": ago(PAUSE_MINUTES)},
        {"number": 3, "state": W_OPEN, "services": ["C"]},
    ]
    tickets = [
        ticket("20261126-A001", 45),  # at the limit: not yet
        ticket("20261126-A002", 46),
        ticket("20261126-A003", 50),
        ticket("20261126-A004", 60, state="called"),
    ]
    raised = raise_alerts(
        tickets=tickets,
        windows=windows,
        waiting={"C": 2, "B": 1, "A": 0},
        policy={"max_wait_minutes": 45},
        ratings=[
            {"ticket": "20261126-A005", "level": 2},
            {"ticket": "20261126-A006", "level": 3},
            {"ticket": "20261126-A007", "level": 1},
        ],
        printer_faults=[{"kiosk": "K1"}, {"kiosk": "K2"}],
        complaints=[{"id": "20261126-A005-C1", "ticket": "20261126-A005"}],
        now=NOW,
    )
    assert [(a.kind, a.subject) for a in raised] == [
        ("overdue", "20261126-A003"),  # longest wait first
        ("overdue", "20261126-A002"),
        ("unserved", "B"),  # window 2 serves B but is paused; C has an open window
        ("paused", "2"),  # window 1 is paused exactly PAUSE_MINUTES: not yet
        ("rating", "20261126-A007"),  # newest first
        ("rating", "20261126-A005"),
        ("printer", "K2"),
        ("printer", "K1"),
        ("complaint", "20261126-A005-C1"),
    ]
    assert [k for k in KINDS if any(a.kind == k for a in raised)] == list(KINDS)[1:]
    assert raised[0].seconds == 50 * 60


def test_an_unattended_window_is_an_alert_urgent_with_a_ticket_at_it() -> None:
    windows = [
        {"number": 5, "state": W_OPEN, "current": None, "unattended_since": ago(2)},
        {"number": 7, "state": W_OPEN, "current": "20261126-A001", "unattended_since": ago(1)},
        {"number": 8, "state": W_PAUSED, "current": None, "unattended_since": ago(3)},
        {"number": 9, "state": "closed", "current": None, "unattended_since": ago(3)},  # stale
        {"number": 6, "state": W_OPEN, "current": None, "unattended_since": None},
    ]
    tickets = [ticket("20261126-A001", 5, state="called")]
    raised = raise_alerts(tickets=tickets, windows=windows, waiting={}, policy={}, now=NOW)
    assert [(a.kind, a.subject, a.urgent) for a in raised] == [
        ("unattended", "7", True),  # a citizen is being called to an empty window
        ("unattended", "5", False),
        ("unattended", "8", False),
    ]
    assert raised[1].seconds == 2 * 60
    assert KINDS[0] == "unattended"  # the most urgent kind
