"""The current ticket: number, service, state, waits, why it was called, handoffs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from counter.model import CounterState, clip, fmt_clock, fmt_duration, seconds_between
from counter.strings import t
from shared.i18n import name_of
from shared.labels import reason_label, state_label
from shared.protocol import CALLED, STEP_FINISHED, STEP_NEXT, W_PAUSED


def _window_name(state: CounterState, number: Any, lang: str) -> str:
    return name_of(state.window(number), lang) if isinstance(number, int) else "—"


def step_lines(state: CounterState, ticket: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """A visit's steps, one (line, style) each: the fee items first at the fee step, then each
    step (its name cut short) with its window and note, the one at this window marked."""
    steps = [s for s in ticket.get("steps") or () if isinstance(s, dict)]
    groups = [s.get("group") for s in steps]
    out: list[tuple[str, str]] = []
    for s in steps:
        if s.get("fee") and s.get("n") == ticket.get("step"):
            sep = "；" if lang == "zh" else "; "
            items = sep.join(
                f"{clip(name_of(state.service(f.get('service')), lang), 16)} ¥{f.get('amount', 0):g}"
                for f in s.get("fees") or ()
            )
            total = f"{s.get('total') or 0:g}"
            out.append((t("fee_items", lang, items=items, total=total), "bold yellow"))
            out.append((t("fee_hint", lang), "yellow"))
    colon = "：" if lang == "zh" else ": "
    for s in steps:
        here = s.get("n") == ticket.get("step")
        mark = "▶" if here else ("✓" if s.get("state") in STEP_FINISHED else "·")
        name = clip(name_of(state.service(s.get("service")), lang), 18)
        parts = [f"{mark} {s.get('n')}. {name}"]
        if groups.count(s.get("group")) > 1:
            parts.append(t("step_parallel", lang))
        label = state_label(s.get("state"), lang) if s.get("state") != STEP_NEXT else ""
        if label:
            parts.append(label)
        if here:
            parts.append(t("step_here", lang))
        elif s.get("window") is not None:
            parts.append(_window_name(state, s.get("window"), lang))
        if s.get("fee") and s.get("paid") is not None:
            parts.append(t("paid" if s["paid"] else "unpaid", lang))
        line = " · ".join(parts)
        if s.get("note"):
            line += f"  {t('note', lang)}{colon}{s['note']}"
        out.append((line, "bold" if here else ("dim" if mark == "·" else "")))
    return out


def handoff_lines(state: CounterState, ticket: dict[str, Any], lang: str) -> list[str]:
    """One line per handoff of a ticket, oldest first."""
    out = []
    for h in ticket.get("handoffs") or ():
        to_window = h.get("to_window")
        out.append(
            t(
                "handoff_line",
                lang,
                at=fmt_clock(h.get("at")),
                from_window=_window_name(state, h.get("from_window"), lang),
                staff=h.get("from_staff") or "—",
                service=name_of(state.service(h.get("to_service", "")), lang),
                to_window=f" · {_window_name(state, to_window, lang)}" if to_window else "",
                reason=h.get("reason") or "—",
            )
        )
    return out


class CurrentTicket(Static):
    """The ticket called or served at this window (or a hint what to do)."""

    shown: var[Text] = var(Text, init=False)
    """The text on show; setting an equal text does not redraw."""

    def show(self, state: CounterState, lang: str, now: datetime) -> None:
        """Redraw from the state."""
        ticket = state.current()
        self.shown = self._ticket(state, ticket, lang, now) if ticket else self._idle(state, lang)

    def watch_shown(self, text: Text) -> None:
        self.update(text)

    @staticmethod
    def _idle(state: CounterState, lang: str) -> Text:
        key = "no_current_paused" if state.window_state == W_PAUSED else "no_current"
        return Text(t(key, lang), style="dim")

    @staticmethod
    def _ticket(state: CounterState, ticket: dict[str, Any], lang: str, now: datetime) -> Text:
        out = Text()
        out.append(f" {ticket['number']} ", style="bold reverse")
        out.append("  ")
        out.append(name_of(state.service(ticket["service"]), lang), style="bold")
        out.append("  ")
        out.append(f"[{state_label(ticket.get('state'), lang)}]", style="bold cyan")
        if ticket.get("priority") == "priority":
            out.append("  ")
            out.append(t("priority_mark", lang), style="bold magenta")
        out.append("\n")
        waited = seconds_between(ticket.get("queued_at"), ticket.get("called_at") or now)
        out.append(f"{t('waited', lang)} {fmt_duration(waited)}")
        if ticket.get("state") == CALLED:
            since = seconds_between(ticket.get("called_at"), now)
            out.append(f"   {t('since_called', lang)} {fmt_duration(since)}")
            if ticket.get("recalls"):
                out.append("   " + t("recalls", lang, n=ticket["recalls"]), style="yellow")
        else:
            serving = seconds_between(ticket.get("started_at"), now)
            out.append(f"   {t('serving_for', lang)} {fmt_duration(serving)}")
        reason = state.call_reason(ticket)
        out.append(f"\n{t('call_reason', lang)}: ")
        out.append(reason_label(reason, lang) or "—", style="bold")
        first = ticket.get("first_responsible")
        if first:
            out.append(f"\n{t('first_responsible', lang)}: ")
            out.append(
                f"{first.get('staff') or '—'} · {_window_name(state, first.get('window'), lang)}"
            )
        steps = step_lines(state, ticket, lang)
        if steps:
            out.append(f"\n{t('steps', lang)}:")
            for line, style in steps:
                out.append(f"\n  {line}", style=style)
        lines = handoff_lines(state, ticket, lang)
        if lines:
            out.append(f"\n{t('handoffs', lang)}:")
            for line in lines:
                out.append(f"\n  {line}", style="italic")
        return out
