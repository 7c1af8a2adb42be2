"""The complaint lifecycle, pure (hub/complaints.py), and the engine's complaint commands:
every transition of the table, refusals that change nothing, deadlines on the calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hub.catalogue import DEMO_PATH, load_catalogue
from hub.complaints import TRANSITIONS, ComplaintBook, clerk_view, new_record
from hub.engine import Actor, Engine, EngineError

HALL = load_catalogue(DEMO_PATH)
TZ = ZoneInfo(HALL.timezone)
NOW = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)  # a Wednesday before National Day
SUP = Actor("supervisor", "s001")
KIOSK = Actor("kiosk", "K1")


def test_deadline_skips_the_national_day_holidays() -> None:
    book = ComplaintBook(HALL.calendar, HALL.policy.complaint_days)
    assert HALL.policy.complaint_days == 5
    # 10-01..10-07 off, 10-10 (a Saturday) worked: 10-08, 09, 10, 12, 13
    assert book.due(date(2026, 9, 30)) == date(2026, 10, 13)
    r = new_record(1, NOW.isoformat(), date(2026, 9, 30), date(2026, 10, 13), "page", "t")
    assert book.urgency(r, date(2026, 10, 7)) is None  # holidays: 10-08 .. 10-13 is 5 days
    assert book.urgency(r, date(2026, 10, 12)) == "due_soon"
    assert book.urgency(r, date(2026, 10, 13)) == "due_soon"
    assert book.urgency(r, date(2026, 10, 14)) == "overdue"
    assert book.urgency({**r, "state": "answered"}, date(2026, 10, 14)) is None


def day_with_complaint() -> tuple[Engine, str]:
    eng = Engine(HALL, NOW.date())
    eng.execute(KIOSK, {"type": "issue", "service": "MZ-01"}, NOW)
    (tid,) = eng.tickets
    res, _ = eng.execute(Actor("citizen", tid), {"type": "complain", "text": "太慢"}, NOW)
    return eng, res["complaint"]


COMMANDS = {
    "accept": {},
    "note": {"text": "查明"},
    "answer": {"text": "已整改"},
    "close": {},
    "reject": {"reason": "无关"},
}


@pytest.mark.parametrize("path", [["accept", "note", "note", "answer", "close"], ["reject"],
                                  ["accept", "reject"], ["accept", "note", "reject"],
                                  ["accept", "answer", "close"]])  # fmt: skip
def test_every_path_of_the_table(path: list[str]) -> None:
    eng, cid = day_with_complaint()
    for cmd in path:
        state = eng.complaint_book.items[cid]["state"]
        new_state, event = TRANSITIONS[(state, cmd)]
        _, events = eng.execute(
            SUP, {"type": f"{cmd}_complaint", "complaint": cid, **COMMANDS[cmd]}, NOW
        )
        (ev,) = events
        assert ev["type"] == event and ev["record"]["state"] == new_state
    # the day rolls: the complaint stays
    eng.roll_day(datetime(2026, 10, 8, 0, 1, tzinfo=TZ))
    assert eng.complaint_book.items[cid]["state"] == new_state


@pytest.mark.parametrize("cmd", list(COMMANDS))
def test_a_refused_step_changes_nothing(cmd: str) -> None:
    eng, cid = day_with_complaint()
    eng.execute(SUP, {"type": "reject_complaint", "complaint": cid, "reason": "x"}, NOW)
    before = dict(eng.complaint_book.items[cid])
    seq = eng.seq
    with pytest.raises(EngineError) as info:
        eng.execute(SUP, {"type": f"{cmd}_complaint", "complaint": cid, **COMMANDS[cmd]}, NOW)
    assert info.value.code == "invalid_state" and info.value.zh and info.value.en
    assert eng.complaint_book.items[cid] == before and eng.seq == seq


def test_a_clerk_sees_a_complaint_about_them_only_once_answered() -> None:
    r = new_record(1, NOW.isoformat(), NOW.date(), NOW.date(), "page", "态度差", staff="c013",
                   contact="138")  # fmt: skip
    for state in ("received", "accepted", "investigating", "rejected"):
        assert clerk_view({**r, "state": state}, "c013") == {"id": r["id"], "state": state}
    answered = clerk_view({**r, "state": "answered", "answer": "已处理"}, "c013")
    assert answered["text"] == "态度差" and answered["answer"] == "已处理"
    assert "contact" not in answered
    assert "text" not in clerk_view({**r, "state": "answered"}, "c014")
