"""One vocabulary: the label table covers every concept once, the web pages use it, the apps too."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import counter.strings
import display.strings
import kiosk.strings
from hub.catalogue import DEMO_PATH, load_catalogue
from hub.engine import Engine
from shared import labels
from shared.i18n import Texts
from shared.labels import (
    CALL_REASON_LABELS,
    CASE_STATE_LABELS,
    HALL_METRICS,
    METRIC_LABELS,
    TICKET_STATE_LABELS,
    UNITS,
    WINDOW_METRICS,
    WINDOW_STATE_LABELS,
    metric_label,
    reason_label,
    state_label,
    window_state_label,
)
from shared.protocol import PARKED, TICKET_STATES, W_CLOSED, W_OPEN, W_PAUSED

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "hub" / "web"
APPS = ("kiosk", "counter", "display")
# Labels that named a concept the table now names otherwise (parked, no_show).
RETIRED = ("暂挂", "暂候", "暂停办理", "办理暂停", "On hold", "Missed")


def test_the_committed_labels_js_is_the_generated_one() -> None:
    """hub/web/labels.js is regenerated with `python -m shared.labels --js > hub/web/labels.js`."""
    assert (WEB / "labels.js").read_text(encoding="utf-8") == labels.to_js()


def test_every_concept_has_one_label_in_both_languages() -> None:
    assert list(TICKET_STATE_LABELS) == list(TICKET_STATES)
    assert set(WINDOW_STATE_LABELS) == {W_OPEN, W_PAUSED, W_CLOSED}
    # the reasons the calling order gives (shared/calling.py), and `chosen` for a `call`
    calling = (ROOT / "shared" / "calling.py").read_text(encoding="utf-8")
    given = set(re.findall(r'\),\s*"(\w+)"\s*$', calling, re.M))
    assert len(given) == 5 and set(CALL_REASON_LABELS) == given | {"chosen"}
    for table in (TICKET_STATE_LABELS, WINDOW_STATE_LABELS, CALL_REASON_LABELS):
        pairs = list(table.values())
        assert all(zh and en for zh, en in pairs)
        # one word per concept: no two values of a table share a word
        assert len({zh for zh, _ in pairs}) == len(pairs)
        assert len({en for _, en in pairs}) == len(pairs)
    # a parked ticket and a paused window never share a word
    assert set(TICKET_STATE_LABELS[PARKED]).isdisjoint(WINDOW_STATE_LABELS[W_PAUSED])
    assert state_label(PARKED, "zh") == "挂起" and window_state_label(W_PAUSED, "zh") == "暂停"
    assert state_label("no_show", "en") == "No-show"
    assert reason_label("fifo", "en") == "in turn" and reason_label(None, "zh") == ""
    assert state_label("some_new_state", "zh") == "some_new_state"  # a newer hub's value, shown raw


def test_every_field_of_the_metrics_object_has_a_label_and_a_unit() -> None:
    engine = Engine(load_catalogue(DEMO_PATH), date(2026, 11, 26))
    metrics = engine.metrics(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert set(metrics) == {"day", "hall", "windows"}
    # the demo hall takes bookings: the hall totals end with `bookings` (预约)
    assert tuple(metrics["hall"]) == (*HALL_METRICS, "bookings")
    assert tuple(metrics["windows"][0]) == WINDOW_METRICS
    assert set(metrics["hall"]["ratings"]) == {"count", "avg"}
    assert set(metrics["hall"]["bookings"]) == {"checked_in", "no_show"}
    fields = {"day", *HALL_METRICS, *WINDOW_METRICS, "ratings.count", "ratings.avg"}
    fields |= {"bookings", "bookings.checked_in", "bookings.no_show"}
    assert fields == set(METRIC_LABELS)
    for name, m in METRIC_LABELS.items():
        assert m.zh and m.en and m.unit in UNITS, name
        assert metric_label(name, "en", short=True) == (m.short or m.en)
        assert metric_label(name, "zh", short=True) == m.zh


def test_one_t_helper_with_one_argument_order() -> None:
    for module in (kiosk.strings, counter.strings, display.strings):
        assert isinstance(module.t, Texts), module.__name__
    assert kiosk.strings.t("waiting_n", "en", n=3) == "3 waiting"
    assert counter.strings.t("window_n", "zh", n=5) == "5号窗口"
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            assert "def t(" not in path.read_text(encoding="utf-8"), path


def test_no_retired_word_is_left() -> None:
    files = [p for app in APPS for p in (ROOT / app).rglob("*.py")]
    files += [*WEB.glob("*.js"), *WEB.glob("*.html"), ROOT / "README.md", *ROOT.glob("docs/*.md")]
    files += [ROOT / "shared" / "labels.py"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for word in RETIRED:
            assert word not in text or path.name == "VOCABULARY.md", (path, word)


def test_web_pages_take_state_and_reason_labels_from_the_table() -> None:
    """No page script spells a state or reason label itself (wire values are fine)."""
    tables = (TICKET_STATE_LABELS, WINDOW_STATE_LABELS, CALL_REASON_LABELS, CASE_STATE_LABELS)
    words = {w for table in tables for key, pair in table.items() for w in pair if w != key}
    for path in WEB.glob("*.js"):
        if path.name == "labels.js":
            continue
        text = path.read_text(encoding="utf-8")
        for word in words:
            assert f'"{word}"' not in text, (path.name, word)
    for page in ("board.html", "ticket.html"):
        html = (WEB / page).read_text(encoding="utf-8")
        assert html.index("/static/labels.js") < html.index("/static/hall.js"), page


# A ticket or window state compared with a string literal, in any of the usual spellings.
STATE_WORDS = "|".join(sorted({*TICKET_STATES, W_OPEN, W_PAUSED, W_CLOSED}))
LITERAL_STATE_COMPARISON = re.compile(
    rf"""(?:[=!]=\s*["'](?:{STATE_WORDS})["'])"""
    rf"""|(?:["'](?:{STATE_WORDS})["']\s*[=!]=)"""
    rf"""|(?:\bin\s*[(\[{{]\s*["'](?:{STATE_WORDS})["'])"""
)
# Error codes (`closed`) and alert kinds (`paused`) share some spellings: those are not states.
NOT_A_STATE = re.compile(r"(?:\.code|\.kind)\s*(?:[=!]=|(?:not\s+)?in\b)")


@pytest.mark.parametrize("app", APPS)
def test_apps_compare_states_with_the_protocol_constants(app: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LITERAL_STATE_COMPARISON.search(line) and not NOT_A_STATE.search(line)
    ]
    assert found == []
