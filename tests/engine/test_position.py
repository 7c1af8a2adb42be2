"""Place in line and estimated wait (docs/DESIGN.md "Place in line"): the forward pass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from engine_helpers import KIOSK, Desk, at, clerk

# --- ahead ------------------------------------------------------------------------------


def issue(
    d: Desk, service: str, when: str, priority: str = "normal"
) -> tuple[str, int, int | None]:
    """(ticket id, ahead, eta_min) from the issue reply."""
    r = d.run(KIOSK, {"type": "issue", "service": service, "priority": priority}, at(when))
    return r["ticket"]["id"], r["ahead"], r["eta_min"]


def test_ahead_counts_what_the_windows_call_first(hall_open: Desk) -> None:
    d = hall_open  # windows 1 (MZ-01, MZ-02), 2 (MZ-01, GH-01), 3 (GH-01, GH-02) open
    a1 = issue(d, "MZ-01", "09:00:00")
    b1 = issue(d, "GH-01", "09:01:00")
    a2 = issue(d, "MZ-01", "09:02:00")
    # window 1 calls A001 and window 2 B001 (another service sharing it) before A002
    assert (a1[1], b1[1], a2[1]) == (0, 0, 2)
    assert [d.engine.position(t[0])[0] for t in (a1, b1, a2)] == [0, 0, 2]


def test_a_priority_ticket_is_told_it_is_called_first_within_the_run_cap(desk: Desk) -> None:
    d = desk
    d.open(1, at("08:30:00"))  # the only open window for MZ-01 and MZ-02; priority_run 2
    n1 = issue(d, "MZ-01", "09:00:00")[0]
    p = [issue(d, "MZ-01", f"09:0{i}:00", "priority")[0] for i in (1, 2, 3)]
    # P, P, then the normal ticket (the run cap), then the third P
    assert [d.engine.position(t)[0] for t in (p[0], p[1], n1, p[2])] == [0, 1, 2, 3]


def test_ahead_follows_the_queue(hall_open: Desk) -> None:
    d = hall_open
    ids = [issue(d, "MZ-01", f"09:0{i}:00")[0] for i in range(4)]
    assert [d.engine.position(t)[0] for t in ids] == [0, 1, 2, 3]
    d.call_next(1, at("09:10:00"))  # ids[0]
    d.cancel(ids[2], at("09:11:00"))
    assert d.engine.position(ids[0]) == (0, 0)  # not waiting
    assert d.engine.position(ids[2]) == (0, 0)
    assert d.engine.position(ids[1])[0] == 0
    assert d.engine.position(ids[3])[0] == 1
    assert d.engine.position("20261126-Z999") == (0, 0)
    assert [t["id"] for t in d.engine.queue_of("MZ-01")] == [ids[1], ids[3]]


def test_a_handed_off_ticket_is_called_first(hall_open: Desk) -> None:
    d = hall_open
    gh = issue(d, "GH-01", "09:00:00")[0]
    early = issue(d, "MZ-01", "09:01:00")[0]
    d.call(3, gh, at("09:02:00"))
    d.start(3, at("09:03:00"))
    d.transfer(3, at("09:04:00"), "MZ-01")
    late = issue(d, "MZ-01", "09:05:00")[0]
    assert d.engine.position(gh)[0] == 0  # handed off: the next call at window 1
    assert d.engine.position(early)[0] == 1  # window 2, after window 1's turn
    assert d.engine.position(late)[0] == 2
    assert d.call_next(2, at("09:06:00")) == (gh, "transferred")


def test_same_instant_ties_by_acknowledgement(desk: Desk) -> None:
    d = desk
    a = issue(d, "MZ-01", "09:00:00")
    b = issue(d, "MZ-01", "09:00:00")
    assert (a[1], b[1]) == (0, 1)


# --- eta_min --------------------------------------------------------------------------------


def test_no_open_window_no_estimate(desk: Desk) -> None:
    d = desk
    # nobody serves MZ-01 now: the place as the order will be once windows open, no minutes
    assert [issue(d, "MZ-01", f"09:0{i}:00")[1:] for i in range(3)] == [
        (0, None),
        (1, None),
        (2, None),
    ]
    assert d.engine.estimates()["MZ-01"] == (3, None)


def test_eta_from_catalogue_minutes_at_the_window_that_calls(desk: Desk) -> None:
    d = desk
    ids = [issue(d, "MZ-01", f"09:0{i}:00")[0] for i in range(4)]  # 10 minutes each
    d.open(1, at("09:05:00"))
    d.open(2, at("09:05:00"))  # windows 1 and 2 both serve MZ-01
    # windows take turns: 1 and 2 call the first two now, the next two 10 minutes later
    assert [d.engine.position(t) for t in ids] == [(0, 0), (1, 0), (2, 10), (3, 10)]
    assert d.engine.estimates()["MZ-01"] == (4, 20)
    d.open(3, at("09:06:00"))  # window 3 does not serve MZ-01
    assert d.engine.position(ids[-1]) == (3, 10)
    d.pause(2, at("09:07:00"))  # a paused window is not open
    assert d.engine.position(ids[-1]) == (3, 30)
    d.resume(2, at("09:08:00"))
    d.logout(1, at("09:09:00"))
    assert d.engine.position(ids[-1]) == (3, 30)


def test_eta_counts_the_ticket_at_the_window(desk: Desk) -> None:
    d = desk
    d.open(1, at("08:30:00"))
    first = issue(d, "MZ-02", "09:00:00")[0]  # 20 minutes in the catalogue
    d.call(1, first, at("09:00:00"))
    d.start(1, at("09:00:00"))
    nxt = issue(d, "MZ-02", "09:05:00")[0]
    assert d.engine.position(nxt) == (0, 15)  # 20 minutes, 5 of them done


def test_eta_uses_todays_mean_once_there_are_enough_samples(hall_open: Desk) -> None:
    d = hall_open
    # MZ-01 served for 300, 420 and 360 s: mean 6 minutes (the catalogue says 10)
    times = (("09:01:00", "09:06:00"), ("09:10:00", "09:17:00"), ("09:20:00", "09:26:00"))
    for n, (start, end) in enumerate(times):
        tid = issue(d, "MZ-01", "09:00:00")[0]
        d.serve(1, tid, at(start), at(start), at(end))
        assert d.engine.avg_service_min("MZ-01") == (6.0 if n == 2 else 10.0)
    # GH-01 served once for 20 minutes: one sample is not enough, the catalogue's 15 stay
    gh = issue(d, "GH-01", "09:30:00")[0]
    d.serve(3, gh, at("09:30:00"), at("09:30:00"), at("09:50:00"))
    assert d.engine.avg_service_min("GH-01") == 15.0
    ids = [issue(d, "MZ-01", f"09:5{i}:00")[0] for i in range(4)]
    # windows 1 and 2 take turns: 0 and 6 minutes
    assert [d.engine.position(t) for t in ids] == [(0, 0), (1, 0), (2, 6), (3, 6)]
    assert d.engine.avg_service_min("GH-02") == 30.0  # no data: the catalogue


def _samples(d: Desk, service: str, n: int, seconds: int) -> None:
    """Serve `n` tickets of the service for `seconds` each at window 1, from 08:00."""
    for i in range(n):
        tid = issue(d, service, f"08:{10 * i:02d}:00")[0]
        begin = at(f"08:{10 * i:02d}:00")
        d.serve(1, tid, begin, begin, begin + timedelta(seconds=seconds))


def test_a_handed_off_segment_counts_for_the_service_it_was_served_under(hall_open: Desk) -> None:
    d = hall_open
    _samples(d, "MZ-02", 2, 120)
    tid = issue(d, "MZ-02", "09:00:00")[0]
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:01:00"))
    d.transfer(1, at("09:03:00"), "GH-02")  # 2 minutes of MZ-02
    assert d.engine.avg_service_min("MZ-02") == 2.0
    assert d.engine.avg_service_min("GH-02") == 30.0


def test_park_and_unpark_segments_are_measured(hall_open: Desk) -> None:
    d = hall_open
    _samples(d, "MZ-02", 1, 180)
    tid = issue(d, "MZ-02", "09:00:00")[0]
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:01:00"))
    d.park(1, at("09:05:00"))  # 4 minutes
    d.unpark(1, tid, at("09:30:00"))  # the 25 minutes parked are not service time
    d.finish(1, at("09:32:00"))  # 2 minutes
    assert d.engine.avg_service_min("MZ-02") == 3.0


@pytest.mark.parametrize(
    ("service_s", "ahead", "expected"),
    [
        (61, 1, 2),  # 1.0166... minutes: rounded up
        (60, 1, 1),
        (140, 27, 63),  # exactly 63: 27 x 140 s = 3780 s
        (124, 15, 31),  # exactly 31
        (132, 25, 55),  # exactly 55
        (248, 15, 62),  # exactly 62
        (90, 3, 5),  # 4.5 -> 5
    ],
)
def test_eta_rounds_up_exactly(desk: Desk, service_s: int, ahead: int, expected: int) -> None:
    d = desk
    d.open(1, at("08:00:00"))  # the only window serving MZ-02
    _samples(d, "MZ-02", 3, service_s)
    ids = [issue(d, "MZ-02", "09:00:00")[0] for _ in range(ahead + 1)]
    assert d.engine.position(ids[-1]) == (ahead, expected)


def test_issue_reply_matches_position(hall_open: Desk) -> None:
    d = hall_open
    for i in range(5):
        tid, ahead, eta = issue(d, "MZ-01", f"09:0{i}:00")
        assert (ahead, eta) == d.engine.position(tid)


def test_counter_actor_is_not_needed_for_queries(hall_open: Desk) -> None:
    d = hall_open
    issue(d, "MZ-01", "09:00:00")
    assert d.engine.waiting_counts(["MZ-01", "GH-01"]) == {"MZ-01": 1, "GH-01": 0}
    d.run(clerk(1), {"type": "logout"}, at("09:01:00"))
    assert d.engine.position(sorted(d.engine.tickets)[0]) == (0, 0)
