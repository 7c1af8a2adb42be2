"""关怀模式 / 长辈版: what the care mode reads aloud on each kiosk screen, in plain words.

Each function gives one screen's script in the kiosk's language: the department,
the service, the guide's key points, the ticket (number, people ahead, window).
The app speaks a screen's script when the screen comes up in care mode, and again
on 再听一遍 (repeat). Numbers are said as a listener hears them in a hall: ticket
numbers digit by digit ("A 零 一 二"), so they match what is printed.
"""

from __future__ import annotations

from typing import Any

from kiosk.state import IssuedTicket, KioskState
from kiosk.strings import t
from shared.i18n import name_of
from shared.protocol import ISSUING_OPEN
from shared.voice import spell_number_zh

MAX_READ = 9  # choices read aloud: the ones a number key reaches


def _join(parts: list[str], lang: str) -> str:
    return ("。" if lang == "zh" else ". ").join(p for p in parts if p) + (
        "。" if lang == "zh" else "."
    )


def home(state: KioskState, lang: str) -> str:
    """欢迎。请选您要去的部门。按 1，民政局，等候 3 人。…"""
    depts = state.offered_departments[:MAX_READ]
    if lang == "en":
        parts = ["Welcome", "Choose a department"]
        parts += [
            f"Press {i} for {name_of(d, lang)}, {state.waiting_in(d['code'])} waiting"
            for i, d in enumerate(depts, start=1)
        ]
        parts.append("Elderly visitors may use the priority line")
    else:
        parts = ["欢迎", "请选您要去的部门"]
        parts += [
            f"按 {i}，{name_of(d, lang)}，等候 {state.waiting_in(d['code'])} 人"
            for i, d in enumerate(depts, start=1)
        ]
        parts.append("老年人可以走绿色通道")
    return _join(parts, lang)


def department(state: KioskState, code: str, lang: str) -> str:
    """民政局。请选您要办的事。按 1，婚姻登记。…"""
    dept = state.department(code) or {}
    services = state.services_of(code)[:MAX_READ]

    def closed(s: dict[str, Any]) -> str:
        # a service that does not issue now is read with why (its tile is greyed)
        state_now, _ = state.issuing(str(s.get("code")))
        if state_now == ISSUING_OPEN:
            return ""
        return (": " if lang == "en" else "，") + t(f"issuing_{state_now}", lang)

    if lang == "en":
        parts = [name_of(dept, lang), "Choose what you need"]
        parts += [
            f"Press {i} for {name_of(s, lang)}{closed(s)}" for i, s in enumerate(services, start=1)
        ]
    else:
        parts = [name_of(dept, lang), "请选您要办的事"]
        parts += [f"按 {i}，{name_of(s, lang)}{closed(s)}" for i, s in enumerate(services, start=1)]
    return _join(parts, lang)


def _guide_field(guide: dict[str, Any], field: str, lang: str) -> Any:
    if lang == "en" and guide.get(f"{field}_en"):
        return guide[f"{field}_en"]
    return guide.get(field)


def guide(state: KioskState, code: str, lang: str) -> str:
    """婚姻登记。要带的材料：1，身份证；2，户口本。要交的钱：免费。多久办好：当场。…按 1 取号。"""
    svc = state.service(code) or {}
    g = svc.get("guide") or {}
    materials = list(_guide_field(g, "materials", lang) or ())
    windows = state.window_names(code, lang)
    fee = _guide_field(g, "fee", lang)
    time_limit = _guide_field(g, "time_limit", lang)
    if lang == "en":
        parts = [name_of(svc, lang)]
        parts.append(
            "Bring: " + "; ".join(f"{i}, {m}" for i, m in enumerate(materials, start=1))
            if materials
            else "No documents needed"
        )
        parts += [f"Fee: {fee}" if fee else "", f"It takes {time_limit}" if time_limit else ""]
        parts.append("Go to " + ", ".join(windows) if windows else "Please ask staff")
        parts.append("Press 1 to take a ticket")
    else:
        parts = [name_of(svc, lang)]
        parts.append(
            "要带的材料：" + "；".join(f"{i}，{m}" for i, m in enumerate(materials, start=1))
            if materials
            else "不用带材料"
        )
        parts += [
            f"要交的钱：{fee}" if fee else "",
            f"多久办好：{time_limit}" if time_limit else "",
        ]
        parts.append("办理窗口：" + "、".join(windows) if windows else "请问工作人员")
        parts.append("按 1 取号")
    return _join(parts, lang)


def priority(state: KioskState, code: str, lang: str) -> str:
    """绿色通道 first: 老年人可以走绿色通道，优先办理，请按 1。普通取号，请按 2。"""
    svc = state.service(code) or {}
    if lang == "en":
        parts = [
            name_of(svc, lang),
            "Elderly, disabled or pregnant visitors are served first: press 1 for the priority line",
            "Press 2 for a regular ticket",
        ]
    else:
        parts = [
            name_of(svc, lang),
            "老年人、残疾人、孕妇可以走绿色通道，优先办理，请按 1",
            "普通取号，请按 2",
        ]
    return _join(parts, lang)


def ticket(tk: IssuedTicket, lang: str) -> str:
    """您的号码是 A 零 一 二。前面还有 3 人。叫到号后，请到 13 号窗口。请拿好号票。"""
    windows = tk.window_names(lang)
    if lang == "en":
        parts = [
            f"Your number is {' '.join(tk.number.upper())}",
            f"{tk.ahead} people ahead of you",
            ("When called, go to " + ", ".join(windows)) if windows else "Please ask staff",
            "Please keep your ticket",
        ]
    else:
        parts = [
            f"您的号码是 {spell_number_zh(tk.number)}",
            f"前面还有 {tk.ahead} 人",
            ("叫到号后，请到 " + "、".join(windows)) if windows else "请问工作人员",
            "请拿好号票",
        ]
    return _join(parts, lang)
