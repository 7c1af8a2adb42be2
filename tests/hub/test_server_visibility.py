"""Who sees what: a display only public fields, a citizen only its own ticket (plus position, notice).

Every frame a display or citizen received during a busy scenario is checked,
the welcome included, and so is the welcome of one that connects afterwards.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from hub_scenario import busy_day, ticket_objects, walk
from support.raw import Frame, citizen, counter, display, kiosk, supervisor

from shared.protocol import PRIVATE_EVENT_FIELDS

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(40)]

PRIVATE_TEXTS = (
    "规划手续请到11号窗口",  # transfer reasons
    "另需办理福利机构审批",
    "已核发许可证",  # finish notes
    "缺验资报告",
    "第一个窗口让我白等",  # rating reason
    "13号窗口工作人员态度冷淡",  # complaint
    "回家取身份证",  # park reason
    "缺纸",  # printer fault
)
PUBLIC_HANDOFF = {"from_window", "to_service", "to_window", "at"}


def check_display_frame(frame: Frame, secrets: list[str]) -> None:
    assert frame["type"] not in ("ticket_rated", "complaint", "printer_fault"), frame["type"]
    for path, key, value in walk(frame):
        assert key not in ("staff", "from_staff", "note", "token", "url", *PRIVATE_EVENT_FIELDS), (
            f"{frame['type']}: {path}.{key}"
        )
        if key == "handoffs":
            for h in value:
                assert set(h) == PUBLIC_HANDOFF, f"{frame['type']}: {path}.handoffs {h}"
        if key == "handoff":
            assert set(value) == PUBLIC_HANDOFF, f"{frame['type']}: {path}.handoff {value}"
        if key == "first_responsible":
            assert value is None or set(value) == {"window"}, f"{frame['type']}: {path} {value}"
    text = json.dumps(frame, ensure_ascii=False)
    for s in secrets:
        assert s not in text, f"{frame['type']} shows {s!r}"


async def test_display_sees_only_public_fields(hub) -> None:
    d = await display(hub)
    k = await kiosk(hub)
    issued, citizens = await busy_day(hub, k)
    # its welcome holds the day's tickets with handoffs and first_responsible
    late = await display(hub)
    await asyncio.sleep(0.3)
    staff = [s for s in hub.hall.staff if s.id in ("c011", "c013", "c014", "s001")]
    secrets = [
        *PRIVATE_TEXTS,
        *(s.id for s in staff),
        *(s.name for s in staff),
        *(r["token"] for r in issued.values()),
    ]
    for frame in d.frames + late.frames:
        check_display_frame(frame, secrets)
    # …and it did see the public side of all of it
    kinds = [f["type"] for f in d.frames]
    for kind in ("ticket_issued", "ticket_called", "ticket_transferred", "ticket_finished", "ticket_parked",
                 "ticket_cancelled", "window_paused", "window_changed", "window_closed", "notice"):  # fmt: skip
        assert kind in kinds, kind
    handoffs = [f["handoff"] for f in d.frames if f["type"] == "ticket_transferred"]
    assert [(h["from_window"], h["to_service"], h["to_window"]) for h in handoffs] == [
        (13, "GH-02", 11),
        (11, "MZ-03", None),
    ]
    a = next(t for t in late.state["tickets"] if t["id"] == issued["a"]["ticket"]["id"])
    assert a["state"] == "done" and a["first_responsible"] == {"window": 13}
    assert [h["to_window"] for h in a["handoffs"]] == [11]
    paused = next(f for f in d.frames if f["type"] == "window_paused")
    assert paused["window"]["number"] == 13
    # displays see a filtered stream: increasing, with gaps where an event was not for them
    seqs = [f["seq"] for f in d.frames[1:] if "seq" in f]
    assert seqs == sorted(set(seqs)) and seqs[0] > d.seq
    # all but the rating, its 差评 follow-up complaint, the complaint, the printer fault and
    # the cases' events (staff only)
    cases = sum(1 for f in k.frames if f.get("type", "").startswith("case_"))
    assert cases > 0
    assert len(seqs) == late.seq - d.seq - 4 - cases
    for conn in (d, late, k, *citizens):
        await conn.close()


async def test_citizen_sees_only_its_own_ticket(hub) -> None:
    k = await kiosk(hub)
    issued, (za, zc) = await busy_day(hub, k)
    await asyncio.sleep(0.3)
    for conn, mine in ((za, issued["a"]), (zc, issued["c"])):
        own = mine["ticket"]
        others = [r["ticket"] for r in issued.values() if r["ticket"]["id"] != own["id"]]
        kinds = set()
        for frame in conn.frames:
            kinds.add(frame["type"])
            if frame["type"] == "complaint":  # its own complaints only (the page shows the answer)
                assert conn is za, frame
                assert frame["record"]["text"] in ("第一个窗口让我白等", "13号窗口工作人员态度冷淡")
                assert "contact" not in frame["record"]
            assert frame["type"] not in (
                "printer_fault",
                "window_opened",
                "window_changed",
            ), frame
            for t in ticket_objects(frame):
                assert t["id"] == own["id"], f"{frame['type']} shows {t['number']}"
            text = json.dumps(frame, ensure_ascii=False)
            for t in others:
                assert t["id"] not in text and f'"{t["number"]}"' not in text, (
                    f"{frame['type']} shows {t['number']}"
                )
            for r in issued.values():
                if r is not mine:
                    assert r["token"] not in text
            for _, key, _ in walk(frame):
                assert key not in ("staff", "from_staff", "note", "token"), (frame["type"], key)
            if frame["type"].startswith("ticket_"):
                assert frame["ticket"]["id"] == own["id"]
        assert "notice" in kinds
    # a's citizen saw its own story, c's its cancellation
    za_kinds = [f["type"] for f in za.frames]
    for kind in (
        "ticket_called",
        "ticket_recalled",
        "ticket_started",
        "ticket_transferred",
        "ticket_finished",
    ):
        assert kind in za_kinds, kind
    assert "ticket_cancelled" in [f["type"] for f in zc.frames]
    await za.close()
    await zc.close()
    await k.close()


async def test_citizen_position_frames_and_notice(hub) -> None:
    k = await kiosk(hub)
    tickets = [await k.ok("issue", service="MZ-01") for _ in range(3)]
    z3 = await citizen(hub, tickets[2]["token"])
    # no window open: the place as windows 13 and 14 will call, no minutes
    assert (z3.state["ahead"], z3.state["eta_min"]) == (2, None)
    assert (tickets[2]["ahead"], tickets[2]["eta_min"]) == (2, None)
    c13 = await counter(hub, 13)  # one window: 2 x 20 minutes
    p = await z3.next("position")
    assert (p["ahead"], p["eta_min"]) == (2, 40)
    await c13.ok("call_next")  # the first is called: one ahead now
    p = await z3.next("position")
    assert (p["ahead"], p["eta_min"]) == (1, 40)  # A001 at the window, then A002
    c14 = await counter(hub, 14)  # a second window serving MZ-01, free now
    p = await z3.next("position")
    # window 14 calls A002 now; A003 goes to whichever is free next: 13, in 20 minutes
    assert (p["ahead"], p["eta_min"]) == (1, 20)
    # a ticket issued behind does not move this one: no frame at all
    seen = len(z3.frames)
    await k.ok("issue", service="MZ-01")
    await k.ok("issue", service="TJ-01")
    await asyncio.sleep(0.3)
    assert z3.frames[seen:] == []
    # a cancellation ahead moves it up
    z2 = await citizen(hub, tickets[1]["token"])
    await z2.ok("cancel")
    p = await z3.next("position")
    assert (p["ahead"], p["eta_min"]) == (0, 0)
    # notices reach citizens
    s = await supervisor(hub)
    await s.ok("notice", text="请携带身份证原件")
    n = await z3.next("notice")
    assert n["text"] == "请携带身份证原件" and "staff" not in n
    # its own call: a ticket event about its ticket
    await c14.ok("call_next")
    ev = await z3.next("ticket_called")
    assert ev["ticket"]["id"] == tickets[2]["ticket"]["id"] and ev["window"] == 14
    assert "staff" not in ev["ticket"]
    for conn in (k, z3, z2, c13, c14, s):
        await conn.close()
