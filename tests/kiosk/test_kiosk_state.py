"""The kiosk's pure pieces: hall state, strings, the QR matrix."""

from __future__ import annotations

from typing import Any

import zxingcpp
from PIL import Image
from support.scenes import demo_hall, kiosk_day, kiosk_issue_reply, kiosk_welcome

from kiosk.state import IssuedTicket, KioskState
from kiosk.strings import STRINGS, error_reason, t
from shared.ui.qr import qr_lines, qr_matrix


def kiosk_state(welcome: dict[str, Any] | None = None) -> KioskState:
    state = KioskState()
    state.load_welcome(welcome or kiosk_welcome())
    return state


def test_state_from_welcome_and_events() -> None:
    day = kiosk_day()
    state = kiosk_state(day.welcome("kiosk", "09:15"))
    assert [d["code"] for d in state.offered_departments] == [
        d.code for d in demo_hall().departments
    ]
    assert state.waiting_in("MZ") == 4
    # the guide's estimate is the hub's, from the welcome, then from `estimates` frames:
    # MZ-01 and MZ-02 share the A line (four ahead), GH-01 has no window open
    assert (state.estimate("MZ-01"), state.estimate("GH-01")) == ((4, 40), (2, None))
    assert state.window_names("MZ-01", "zh") == ["13号窗口", "14号窗口"]
    assert state.window_names("MZ-01", "en") == ["Window 13", "Window 14"]
    number = day.issue("09:15", "MZ-01")
    [issued] = day.pushed("kiosk")
    assert state.apply_event(issued)
    assert state.waiting_in("MZ") == 5
    estimates = day.estimates("09:15")
    assert state.apply_event(estimates)
    assert not state.apply_event(estimates)
    assert (state.estimate("MZ-01"), state.estimate("GH-01")) == ((5, 40), (2, None))
    day.citizen(day.id_of(number), "09:16", "complain", text="大厅太冷")
    [complaint] = day.pushed("kiosk")
    assert not state.apply_event(complaint)  # nothing a kiosk shows
    # A window taking another service shows up in the guide.
    day.supervisor("09:17", "set_window", window=11, services=["GH-01", "MZ-01"])
    [changed] = day.pushed("kiosk")
    assert state.apply_event(changed)
    assert state.window_names("MZ-01", "zh") == ["11号窗口", "13号窗口", "14号窗口"]


def test_issued_ticket_from_reply() -> None:
    state = kiosk_state()
    ticket = IssuedTicket.from_reply(kiosk_issue_reply(), state)
    assert ticket.number == "A005"
    # what the guide told before the tap
    assert (ticket.ahead, ticket.eta_min) == state.estimate("MZ-01") == (4, 40)
    assert ticket.department["code"] == "MZ"
    assert ticket.window_names("zh") == ["13号窗口", "14号窗口"]
    assert not ticket.priority
    assert ticket.issued_at.hour == 9


def test_every_string_has_both_languages() -> None:
    for key, (zh, en) in STRINGS.items():
        assert zh and en, key
        assert zh != en or key == "lang_toggle", key
    assert t("waiting_n", "zh", n=3) == "等候 3 人"
    assert t("waiting_n", "en", n=3) == "3 waiting"
    # the hub words its refusals (in the kiosk's language); the kiosk words only local failures
    assert error_reason("not_found", "事项不存在：XX-01", "en") == "事项不存在：XX-01"
    assert error_reason("timeout", "no reply to 'issue' within 8 s", "en") == t("err_timeout", "en")
    assert error_reason("weird_code", "", "zh") == "系统繁忙"


def test_qr_on_screen_decodes() -> None:
    url = "http://192.168.1.10:8765/t/Xq3kP9sT2vW8yZ1aB4cD6e"
    matrix = qr_matrix(url)
    lines = qr_lines(matrix)
    assert len(lines) == (len(matrix) + 1) // 2
    # Draw the half-block lines back into pixels and decode them like a phone would.
    scale = 8
    size = len(matrix)
    img = Image.new("L", (size * scale, len(lines) * 2 * scale), 255)
    for y, line in enumerate(lines):
        for x, ch in enumerate(line):
            for half, dark in ((0, ch in "█▀"), (1, ch in "█▄")):
                if dark:
                    img.paste(
                        0,
                        (
                            x * scale,
                            (2 * y + half) * scale,
                            (x + 1) * scale,
                            (2 * y + half + 1) * scale,
                        ),
                    )
    results = zxingcpp.read_barcodes(img)
    assert [r.text for r in results] == [url]


def test_a_department_without_services_gets_no_tile() -> None:
    frame = kiosk_welcome()
    empty = {"code": "XX", "name": "空", "name_en": "Empty", "prefix": "X"}
    frame["hall"] = {**frame["hall"], "departments": [*frame["hall"]["departments"], empty]}
    state = KioskState()
    state.load_welcome(frame)
    assert state.department("XX") == empty
    assert "XX" not in [d["code"] for d in state.offered_departments]
