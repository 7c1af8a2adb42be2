"""The kiosk's pure pieces: hall state, strings, the QR matrix."""

from __future__ import annotations

import zxingcpp
from kiosk_sample import issue_reply, welcome
from PIL import Image

from kiosk.state import IssuedTicket, KioskState
from kiosk.strings import STRINGS, error_reason, t
from shared.ui.qr import qr_lines, qr_matrix


def kiosk_state() -> KioskState:
    state = KioskState()
    state.load_welcome(welcome())
    return state


def test_state_from_welcome_and_events() -> None:
    state = kiosk_state()
    assert [d["code"] for d in state.offered_departments] == ["MZ", "GS", "GT", "RS", "WS"]
    assert state.waiting_in("MZ") == 4
    # the guide's estimate is the hub's, from the welcome, then from `estimates` frames
    assert (state.estimate("MZ-01"), state.estimate("GT-01")) == ((4, 30), (2, None))
    est = {"MZ-01": {"ahead": 3, "eta_min": 23}, "GT-01": {"ahead": 5, "eta_min": None}}
    assert state.apply_event({"type": "estimates", "estimates": est})
    assert not state.apply_event({"type": "estimates", "estimates": est})
    assert (state.estimate("MZ-01"), state.estimate("GT-01")) == ((3, 23), (5, None))
    assert state.window_names("MZ-01", "zh") == ["1号窗口", "2号窗口"]
    assert state.window_names("MZ-01", "en") == ["Window 1", "Window 2"]
    assert state.apply_event({"type": "ticket_issued", "seq": 11, "waiting": {"MZ-01": 4}})
    assert state.waiting_in("MZ") == 5
    assert not state.apply_event({"type": "ticket_issued", "seq": 12, "waiting": {"MZ-01": 4}})
    # A window taking another service shows up in the guide.
    w3 = {"number": 3, "name": "3号窗口", "services": ["GT-01", "MZ-01"], "state": "open"}
    assert state.apply_event({"type": "window_changed", "seq": 13, "window": w3})
    assert state.window_names("MZ-01", "zh") == ["1号窗口", "2号窗口", "3号窗口"]


def test_issued_ticket_from_reply() -> None:
    state = kiosk_state()
    ticket = IssuedTicket.from_reply(issue_reply(), state)
    assert ticket.number == "A004"
    assert ticket.ahead == 3 and ticket.eta_min == 23
    assert ticket.department["code"] == "MZ"
    assert ticket.window_names("zh") == ["1号窗口", "2号窗口"]
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
    frame = welcome()
    empty = {"code": "XX", "name": "空", "name_en": "Empty", "prefix": "X"}
    frame["hall"] = {**frame["hall"], "departments": [*frame["hall"]["departments"], empty]}
    state = KioskState()
    state.load_welcome(frame)
    assert state.department("XX") == empty
    assert "XX" not in [d["code"] for d in state.offered_departments]
