"""Place in line and estimated wait (docs/DESIGN.md): ahead, and eta_min = ceil(ahead x mean / windows)."""

from __future__ import annotations

import pytest
from engine_helpers import KIOSK, Desk, at, clerk

# --- ahead ------------------------------------------------------------------------------


def issue(d: Desk, service: str, when: str, priority: str = "normal") -> tuple[str, int, int]:
    """(ticket id, ahead, eta_min) from the issue reply."""
    r = d.run(KIOSK, {"type": "issue", "service": service, "priority": priority}, at(when))
    return r["ticket"]["id"], r["ahead"], r["eta_min"]


def test_ahead_counts_the_same_service_queued_before(desk: Desk) -> None:
    d = desk
    assert [issue(d, "MZ-01", f"09:0{i}:00")[1] for i in range(3)] == [0, 1, 2]
    # same prefix, other service: its own line
    assert issue(d, "MZ-02", "09:04:00")[1] == 0
    # a priority ticket may be called first, but its place in line is still behind
    assert issue(d, "MZ-01", "09:05:00", "priority")[1] == 3


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


def test_a_handed_off_ticket_takes_its_place_by_its_new_queued_at(hall_open: Desk) -> None:
    d = hall_open
    gh = issue(d, "GH-01", "09:00:00")[0]
    early = issue(d, "MZ-01", "09:01:00")[0]
    d.call(3, gh, at("09:02:00"))
    d.start(3, at("09:03:00"))
    d.transfer(3, at("09:04:00"), "MZ-01")
    late = issue(d, "MZ-01", "09:05:00")[0]
    assert d.engine.position(early)[0] == 0
    assert d.engine.position(gh)[0] == 1  # queued at 09:04 for MZ-01, after `early`
    assert d.engine.position(late)[0] == 2
    # ...though it is called first
    assert d.call_next(2, at("09:06:00")) == (gh, "transferred")


def test_same_instant_ties_by_number(desk: Desk) -> None:
    d = desk
    a = issue(d, "MZ-01", "09:00:00")
    b = issue(d, "MZ-01", "09:00:00")
    assert (a[1], b[1]) == (0, 1)


# --- eta_min --------------------------------------------------------------------------------


def test_eta_falls_back_to_catalogue_minutes_per_open_window(desk: Desk) -> None:
    d = desk
    # MZ-01 takes 10 minutes in the catalogue; no window open: count one
    assert [issue(d, "MZ-01", f"09:0{i}:00")[2] for i in range(4)] == [0, 10, 20, 30]
    d.open(1, at("09:05:00"))
    d.open(2, at("09:05:00"))  # windows 1 and 2 both serve MZ-01
    last = sorted(d.engine.tickets)[-1]
    assert d.engine.position(last) == (3, 15)
    d.open(3, at("09:06:00"))  # window 3 does not serve MZ-01
    assert d.engine.position(last) == (3, 15)
    # a paused window is not open
    d.pause(2, at("09:07:00"))
    assert d.engine.position(last) == (3, 30)
    d.resume(2, at("09:08:00"))
    d.logout(1, at("09:09:00"))
    assert d.engine.position(last) == (3, 30)


def test_eta_uses_todays_mean_service_time_of_that_service(hall_open: Desk) -> None:
    d = hall_open
    # MZ-01 served twice: 300 s and 420 s, mean 6 minutes (the catalogue says 10)
    for start, end in (("09:01:00", "09:06:00"), ("09:10:00", "09:17:00")):
        tid = issue(d, "MZ-01", "09:00:00")[0]
        d.serve(1, tid, at(start), at(start), at(end))
    # GH-01 served for 20 minutes: MZ-01's estimate does not move
    gh = issue(d, "GH-01", "09:20:00")[0]
    d.serve(3, gh, at("09:20:00"), at("09:20:00"), at("09:40:00"))
    ids = [issue(d, "MZ-01", f"09:4{i}:00")[0] for i in range(4)]
    # windows 1 and 2 open for MZ-01: ceil(ahead x 6 / 2)
    assert [d.engine.position(t) for t in ids] == [(0, 0), (1, 3), (2, 6), (3, 9)]
    assert d.engine.avg_service_min("MZ-01") == 6.0
    assert d.engine.avg_service_min("GH-01") == 20.0
    assert d.engine.avg_service_min("GH-02") == 30.0  # no data: the catalogue


def test_a_handed_off_segment_counts_for_the_service_it_was_served_under(hall_open: Desk) -> None:
    d = hall_open
    tid = issue(d, "MZ-02", "09:00:00")[0]
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:01:00"))
    d.transfer(1, at("09:03:00"), "GH-02")  # 2 minutes of MZ-02
    assert d.engine.avg_service_min("MZ-02") == 2.0
    assert d.engine.avg_service_min("GH-02") == 30.0


def test_park_and_unpark_segments_are_measured(hall_open: Desk) -> None:
    d = hall_open
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
    tid = issue(d, "MZ-02", "08:00:00")[0]
    d.call(1, tid, at("08:01:00"))
    d.start(1, at("08:01:00"))
    d.finish(1, at("08:01:00").replace(minute=1 + service_s // 60, second=service_s % 60))
    assert d.engine.eta("MZ-02", ahead) == expected
    # and through a real queue
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
    assert d.engine.day_metrics.open_windows_for("MZ-01") == 2
    d.run(clerk(1), {"type": "logout"}, at("09:01:00"))
    assert d.engine.day_metrics.open_windows_for("MZ-01") == 1
