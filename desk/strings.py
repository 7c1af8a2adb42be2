"""The desk's words, 中文 and English (every text the desk shows is here)."""

from __future__ import annotations

from shared.i18n import Texts

S: dict[str, tuple[str, str]] = {
    "app_title": ("咨询台", "Consultation desk"),
    "login_title": ("咨询台登录", "Desk login"),
    "staff_id": ("工号", "Staff id"),
    "pin": ("密码", "PIN"),
    "login": ("登录", "Log in"),
    "need_staff_pin": ("请输入工号和密码", "Enter your staff id and PIN"),
    "connecting": ("正在连接…", "Connecting…"),
    "hub_unreachable": (
        "连接不上服务器 {url}，正在重试…",
        "Cannot reach the hub at {url}; retrying…",
    ),
    "bad_url": ("服务器地址无效：{url}", "Not a hub address: {url}"),
    "logged_out": ("已退出", "Logged out"),
    "online": ("在线", "online"),
    "offline": ("离线：恢复后自动重连", "offline: reconnecting"),
    "header": (
        "{hall} · 咨询台 · {name}（{staff}）· {state} · {time}",
        "{hall} · Desk · {name} ({staff}) · {state} · {time}",
    ),
    "topic": ("咨询事项（事项代码或问题）", "Topic (a service code or the question)"),
    "minutes": ("用时（分钟）", "Minutes"),
    "guide_window": ("引导至窗口（可空）", "Guided to window (optional)"),
    "lookup": ("查询票号", "Look up a ticket number"),
    "priority_on": ("绿色通道：是（F6 切换）", "Priority lane: yes (F6 toggles)"),
    "priority_off": ("绿色通道：否（F6 切换）", "Priority lane: no (F6 toggles)"),
    "queue_title": ("各事项排队", "Queue per service"),
    "windows_title": ("开放窗口", "Open windows"),
    "col_service": ("事项", "Service"),
    "col_waiting": ("等候", "Waiting"),
    "col_windows": ("窗口", "Windows"),
    "col_window": ("窗口", "Window"),
    "col_state": ("状态", "State"),
    "col_current": ("当前", "Current"),
    "w_open": ("办理中", "open"),
    "w_paused": ("暂停", "paused"),
    "none": ("无", "none"),
    "k_answered": ("当场解答", "Answered"),
    "k_guided": ("引导窗口", "Guided"),
    "k_ticket": ("代取号", "Ticket"),
    "k_referred": ("转外单位", "Referred"),
    "k_priority": ("绿色通道", "Priority"),
    "k_lookup": ("查询", "Look up"),
    "k_lang": ("English", "中文"),
    "k_logout": ("退出", "Log out"),
    "k_add": ("加一项", "Add"),
    "k_clear": ("清空本次", "Clear"),
    "k_bundle": ("一件事", "Bundle"),
    "k_back": ("返回", "Back"),
    "visit_none": (
        "本次办理：单项（F8 加入多项，最多 {max} 项）",
        "This visit: one service (F8 adds more, up to {max})",
    ),
    "visit_list": (
        "本次办理（{n}/{max} 项，F4 取一张票，F11 清空）：",
        "This visit ({n}/{max} services; F4 one ticket, F11 clears):",
    ),
    "visit_full": ("一次最多办理 {max} 项", "At most {max} services in one visit"),
    "visit_repeat": ("{code} 已在本次办理中", "{code} is already in this visit"),
    "visit_fee": (
        "{code} 是收费窗口的事项，取号时自动加入",
        "{code} is the fee window's service; the ticket adds it by itself",
    ),
    "need_add": (
        "请先在咨询事项中填写事项代码（如 MZ-01），再按 F8",
        "Write a service code (e.g. MZ-01) in the topic, then press F8",
    ),
    "bundles_title": (
        "一件事一次办：按数字键为群众取一张票（{priority}），Esc 返回",
        "One visit, one ticket: press a digit to issue the bundle ({priority}); Esc goes back",
    ),
    "bundles_none": ("本大厅没有设置一件事套餐", "This hall's catalogue defines no bundles"),
    "b_priority": ("绿色通道", "priority lane"),
    "b_normal": ("普通", "regular"),
    "parallel": ("（并联，可同时办）", " (in parallel)"),
    "no_windows": ("暂无窗口", "no window"),
    "steps_title": ("办理环节：", "Steps:"),
    "fee_line": ("{n}. 一口收费 ¥{total} · {windows}", "{n}. Fees ¥{total} · {windows}"),
    "l_issued_visit": (
        "已代取号 {number}（{what}，{steps} 个环节）{priority}· 前面 {ahead} 人",
        "Issued {number} ({what}, {steps} steps) {priority}· {ahead} ahead",
    ),
    "need_topic": ("请先填写咨询事项", "Write the topic first"),
    "need_service": (
        "代取号请填写事项代码（如 MZ-01）",
        "To issue a ticket, give a service code (e.g. MZ-01)",
    ),
    "bad_minutes": ("用时应为 0 到 480 的整数", "Minutes must be a whole number from 0 to 480"),
    "bad_window": ("窗口号应为整数", "The window must be a number"),
    "l_consulted": (
        "已登记：{topic} · {outcome} · {minutes} 分钟",
        "Logged: {topic} · {outcome} · {minutes} min",
    ),
    "l_issued": (
        "已代取号 {number}（{service}）{priority}· 前面 {ahead} 人",
        "Issued {number} ({service}) {priority}· {ahead} ahead",
    ),
    "l_priority": ("绿色通道 ", "priority "),
    "l_printed": ("已打印", "Printed"),
    "l_print_failed": (
        "打印失败：{message}。请让群众扫描屏幕上的二维码",
        "Printing failed: {message}. Let the citizen scan the QR code on screen",
    ),
    "l_error": ("未完成：{message}", "Not done: {message}"),
    "scan": ("请用手机扫码查看排队进度：", "Scan to follow the queue on a phone:"),
    "lookup_none": ("今天没有票号 {number}", "No ticket {number} today"),
    "lookup_line": (
        "{number} · {service} · {state}{where}",
        "{number} · {service} · {state}{where}",
    ),
    "lookup_case": (
        "办件 {case} · {service} · {state} · 期限 {due}",
        "Case {case} · {service} · {state} · due {due}",
    ),
    "lookup_waiting": ("，前面约 {ahead} 人", ", about {ahead} ahead"),
    "lookup_window": ("，在 {window}", ", at {window}"),
    "e_closed": ("与服务器的连接已断开", "The connection to the hub is closed"),
    "e_other": ("出错了：{message}", "Something went wrong: {message}"),
}
OUTCOMES = {
    "answered": ("当场解答", "answered"),
    "guided": ("引导窗口", "guided"),
    "ticket": ("代取号", "ticket issued"),
    "referred": ("转外单位", "referred"),
}


t = Texts(S)  # t(key, lang, **fields): the text of `key` in `lang`, its {placeholders} filled


def pick(pair: tuple[str, str], lang: str) -> str:
    """One of a (中文, English) pair."""
    return pair[1] if lang == "en" else pair[0]


def error_text(code: str, message: str, lang: str) -> str:
    """One plain sentence for a refusal: the hub's own words, or ours for a local failure."""
    if code == "closed":
        return t("e_closed", lang)
    return message or t("e_other", lang, message=code)
