"""Complaints over the wire: from the ticket page through every step to the answer on the
page, a 差评 opening a follow-up, one typed in at the desk; who sees what of them on every
frame; kept across a restart and a day roll; the table equal to a recount from the events."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect
from support.raw import Conn, citizen, counter, display, hello, kiosk, supervisor

from hub import auth
from hub.complaints import ComplaintBook
from hub.store import Store

pytestmark = [pytest.mark.timeout(60)]

TEXT = "窗口工作人员玩手机，不理睬群众"
CONTACT = "13800138000"
DESK_TEXT = "电话投诉：预约后到场仍被告知系统维护"
DESK_STAFF, DESK_PIN = "d001", "2468"


def add_desk_staff(hub: Any) -> None:
    """A desk clerk d001 (PIN 2468), marked as desk staff."""
    hub.store.put_staff(hub.hall.id, DESK_STAFF, "咨询台小王", auth.hash_pin(DESK_PIN), [], False)
    assert hub.store.update_staff(hub.hall.id, DESK_STAFF, desk=True)


async def desk(hub: Any) -> Conn:
    return await hello(hub.url, role="desk", staff=DESK_STAFF, pin=DESK_PIN)


async def served_ticket(hub: Any, k: Conn, c13: Conn) -> dict[str, Any]:
    """A MZ-01 ticket served and finished at window 13: its issue reply."""
    issued = await k.ok("issue", service="MZ-01")
    await c13.ok("call_next")
    await c13.ok("start")
    await c13.ok("finish", outcome="done")
    return issued


def secrets_absent(frames: list[dict[str, Any]], *secrets: str) -> None:
    for f in frames:
        text = json.dumps(f, ensure_ascii=False)
        for s in secrets:
            assert s not in text, f"{f.get('type')} shows {s!r}"


async def test_complaint_from_the_page_to_the_answer_on_the_page(hub: Any) -> None:
    k = await kiosk(hub)
    d = await display(hub)
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    c14 = await counter(hub, 14)
    mine = await served_ticket(hub, k, c13)
    other = await k.ok("issue", service="MZ-01")
    z = await citizen(hub, mine["token"])
    z_other = await citizen(hub, other["token"])

    reply = await z.ok("complain", text=TEXT)
    cid = reply["complaint"]
    assert reply["id"] == cid  # the old name stays
    ev = await s.next("complaint")
    r = ev["record"]
    assert ev["complaint"] == cid and r["state"] == "received" and r["source"] == "page"
    assert (r["ticket"], r["window"], r["staff"]) == (mine["ticket"]["id"], 13, c13_staff(hub))
    # the deadline: five working days on the hall's calendar
    received = date.fromisoformat(r["received_at"][:10])
    assert r["due"] == hub.hall.calendar.add_working_days(received, 5).isoformat()
    # the page sees its own complaint, the clerk concerned only that there is one
    assert (await z.next("complaint"))["record"]["text"] == TEXT
    seen = await c13.next("complaint")
    assert seen["record"] == {"id": cid, "state": "received"}

    # every step is a supervisor's command and an event
    s2 = await supervisor(hub)  # a board opened now lists it with its deadline
    listed = {c["id"]: c for c in s2.state["open_complaints"]}
    assert listed[cid]["due"] == r["due"] and listed[cid]["state"] == "received"
    await s2.close()
    await s.error("close_complaint", "invalid_state", complaint=cid)  # not answered yet
    await s.error("answer_complaint", "invalid_state", complaint=cid, text="x")  # not accepted
    await s.error("accept_complaint", "not_found", complaint="nope")
    await s.error("answer_complaint", "bad_args", complaint=cid)
    accepted = await s.ok("accept_complaint", complaint=cid)
    assert accepted["record"]["state"] == "accepted" and accepted["record"]["supervisor"] == "s001"
    await s.ok("note_complaint", complaint=cid, text="调取监控：属实")
    noted = await s.next("complaint_noted")
    assert noted["record"]["state"] == "investigating"
    answer = "经核实，已对该工作人员批评教育，感谢您的监督。"
    await s.ok("answer_complaint", complaint=cid, text=answer)
    ans = await z.next("complaint_answered")
    assert ans["record"]["answer"] == answer and ans["record"]["state"] == "answered"
    # the clerk it names sees it now that it is answered; another clerk never does
    mine_now = await c13.next("complaint_answered")
    assert mine_now["record"]["text"] == TEXT and mine_now["record"]["answer"] == answer
    await s.ok("close_complaint", complaint=cid)
    assert (await z.next("complaint_closed"))["record"]["state"] == "closed"
    await s.error("reject_complaint", "invalid_state", complaint=cid, reason="x")
    # the page opened again shows the answer
    z_again = await citizen(hub, mine["token"])
    (shown,) = z_again.state["complaints"]
    assert shown["answer"] == answer and shown["state"] == "closed"

    await d.settle(0.3)
    for conn in (d, z_other):
        kinds = {f["type"] for f in conn.frames}
        assert not kinds & {"complaint", "complaint_accepted", "complaint_answered"}
        secrets_absent(conn.frames, TEXT, answer, "调取监控")
    secrets_absent(c14.frames + k.frames, TEXT, answer, "调取监控")
    secrets_absent(c13.frames, "调取监控")  # the notes stay with the supervisors
    for conn in (k, d, s, c13, c14, z, z_other, z_again):
        await conn.close()


def c13_staff(hub: Any) -> str:
    return hub.clerk(13)[0]


async def test_rejected_with_a_reason(hub: Any) -> None:
    k = await kiosk(hub)
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    mine = await served_ticket(hub, k, c13)
    z = await citizen(hub, mine["token"])
    cid = (await z.ok("complain", text="广告"))["complaint"]
    await s.error("reject_complaint", "bad_args", complaint=cid)
    done = await s.ok("reject_complaint", complaint=cid, reason="与办事无关")
    assert done["record"]["state"] == "rejected" and done["record"]["reason"] == "与办事无关"
    assert (await z.next("complaint_rejected"))["record"]["reason"] == "与办事无关"
    s2 = await supervisor(hub)
    assert cid not in {c["id"] for c in s2.state["open_complaints"]}
    for conn in (k, s, s2, c13, z):
        await conn.close()


async def test_a_bad_rating_opens_a_follow_up(hub: Any) -> None:
    k = await kiosk(hub)
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    mine = await served_ticket(hub, k, c13)
    z = await citizen(hub, mine["token"])
    await z.ok("rate", level=1, reason="等了很久还被推来推去")
    ev = await s.next("complaint")
    r = ev["record"]
    assert (r["source"], r["level"], r["window"], r["staff"]) == ("rating", 1, 13, c13_staff(hub))
    assert r["text"] == "等了很久还被推来推去"
    # a good rating opens nothing
    other = await served_ticket(hub, k, c13)
    z2 = await citizen(hub, other["token"])
    await z2.ok("rate", level=4)
    await s.settle(0.3)
    assert [f["record"]["source"] for f in s.frames if f.get("type") == "complaint"] == ["rating"]
    for conn in (k, s, c13, z, z2):
        await conn.close()


async def test_desk_complaint_keeps_the_contact_for_supervisors(hub: Any) -> None:
    add_desk_staff(hub)
    d = await display(hub)
    k = await kiosk(hub)
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    mine = await served_ticket(hub, k, c13)
    z = await citizen(hub, mine["token"])
    dk = await desk(hub)
    await dk.error("complain", "bad_args", text=DESK_TEXT)  # no contact
    await dk.error("complain", "not_found", text=DESK_TEXT, contact=CONTACT, ticket="Z999")
    reply = await dk.ok(
        "complain", text=DESK_TEXT, contact=CONTACT, ticket=mine["ticket"]["number"], case="BJ-7"
    )
    r = (await s.next("complaint"))["record"]
    assert r["id"] == reply["complaint"]
    assert (r["source"], r["contact"], r["received_by"], r["case"]) == (
        "desk",
        CONTACT,
        DESK_STAFF,
        "BJ-7",
    )
    assert (r["ticket"], r["window"]) == (mine["ticket"]["id"], 13)
    await s.settle(0.3)
    # the contact and text reach no one but supervisors (not even the ticket's page)
    secrets_absent(d.frames + dk.frames + c13.frames + k.frames + z.frames, CONTACT, DESK_TEXT)
    assert "complaint" not in {f["type"] for f in d.frames}
    for conn in (d, k, s, c13, z, dk):
        await conn.close()


async def test_open_complaints_outlive_a_restart_and_the_day(hub: Any) -> None:
    instant = [datetime(2026, 12, 1, 2, 0, tzinfo=UTC)]  # Tuesday 10:00 in the hall
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    k = await kiosk(hub)
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    mine = await served_ticket(hub, k, c13)
    z = await citizen(hub, mine["token"])
    cid = (await z.ok("complain", text=TEXT))["complaint"]
    await s.ok("accept_complaint", complaint=cid)
    for conn in (k, s, c13, z):
        await conn.close()
    instant[0] = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # next Monday: 4 working days later
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    s = await supervisor(hub)  # the day rolls at the first batch; the complaint is still open
    (listed,) = [c for c in s.state["open_complaints"] if c["id"] == cid]
    assert listed["state"] == "accepted" and listed["due"] == "2026-12-08"
    assert listed["urgency"] == "due_soon"
    await s.ok("note_complaint", complaint=cid, text="约谈当事人")
    instant[0] = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
    await s.close()
    s = await supervisor(hub)
    (listed,) = [c for c in s.state["open_complaints"] if c["id"] == cid]
    assert listed["urgency"] == "overdue"
    await s.ok("answer_complaint", complaint=cid, text="已整改")
    assert hub.server.engine.day == date(2026, 12, 9)
    # the table equals a recount from the raw events of every day
    store: Store = hub.store
    book = ComplaintBook(hub.hall.calendar, hub.hall.policy.complaint_days)
    for day in store.days(hub.hall.id):
        for ev in store.events_of_day(hub.hall.id, day):
            if ev["type"].startswith("complaint"):
                book.apply(ev)
    assert {r["id"]: r for r in store.complaints(hub.hall.id)} == book.items
    assert book.items[cid]["state"] == "answered"
    await s.close()


async def test_old_complaint_rows_stay_readable(tmp_path: Any) -> None:
    """A row written before the lifecycle (no state, no data) reads as received."""
    store = Store(str(tmp_path / "old.db"))
    store.create_tables()
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO complaints (hall_id, seq, day, id, ticket, text) "
            "VALUES ('demo', 7, '2026-11-26', '20261126-A012-C1', '20261126-A012', '太慢')"
        )
    (r,) = store.open_complaints("demo")
    assert (r["id"], r["state"], r["text"], r["ticket"]) == (
        "20261126-A012-C1",
        "received",
        "太慢",
        "20261126-A012",
    )
    store.dispose()


async def test_the_answer_stays_on_the_page_after_a_restart(hub: Any) -> None:
    """A closed complaint is not loaded at start (only open ones are): the citizen's hello
    reads its ticket's complaints from the table, the same day and on a later day."""
    instant = [datetime(2026, 12, 1, 2, 0, tzinfo=UTC)]  # Tuesday 10:00 in the hall
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    k = await kiosk(hub)
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    mine = await served_ticket(hub, k, c13)
    other = await k.ok("issue", service="MZ-01")
    z = await citizen(hub, mine["token"])
    cid = (await z.ok("complain", text=TEXT))["complaint"]
    answer = "经核实已整改，感谢您的监督"
    await s.ok("accept_complaint", complaint=cid)
    await s.ok("note_complaint", complaint=cid, text="调取监控属实")
    await s.ok("answer_complaint", complaint=cid, text=answer)
    await s.ok("close_complaint", complaint=cid)
    for conn in (k, s, c13, z):
        await conn.close()

    def shows_the_answer(conn: Conn) -> None:
        (shown,) = conn.state["complaints"]
        assert (shown["id"], shown["state"], shown["text"]) == (cid, "closed", TEXT)
        assert shown["answer"] == answer and shown["answered_at"]
        assert "contact" not in shown and "notes" not in shown and "supervisor" not in shown
        secrets_absent([conn.welcome], "调取监控属实")

    await hub.stop()  # the same day: the day's events replayed at start hold it
    await hub.start(clock=lambda: instant[0])
    z = await citizen(hub, mine["token"])
    shows_the_answer(z)
    z_other = await citizen(hub, other["token"])  # another citizen sees nothing of it
    assert z_other.state["complaints"] == []
    secrets_absent([z_other.welcome], TEXT, answer)
    for conn in (z, z_other):
        await conn.close()

    instant[0] = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # the next day: a ticket of yesterday
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    s = await supervisor(hub)  # the day rolls at the first batch
    await s.ok("notice", text="今日正常办公")
    assert hub.server.engine.day == date(2026, 12, 2)
    await s.close()
    await hub.stop()  # now neither the open complaints nor today's events hold it
    await hub.start(clock=lambda: instant[0])
    assert cid not in hub.server.engine.complaint_book.items
    z = await citizen(hub, mine["token"])
    shows_the_answer(z)
    await z.close()


def test_an_older_complaints_table_gets_the_ticket_index(tmp_path: Any) -> None:
    """The citizen's hello reads complaints by ticket: a table made before the index gets it."""
    store = Store(str(tmp_path / "older.db"))
    store.create_tables()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_complaints_ticket")
    store.create_tables()
    names = {i["name"] for i in inspect(store.engine).get_indexes("complaints")}
    assert "ix_complaints_ticket" in names
    store.dispose()
