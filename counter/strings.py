"""Every text the counter terminal shows, 中文 and English."""

from __future__ import annotations

from typing import Any

# key -> (zh, en); placeholders use str.format names.
TEXTS: dict[str, tuple[str, str]] = {
    # app / login
    "app_title": ("窗口叫号终端", "Counter terminal"),
    "window_n": ("{n}号窗口", "Window {n}"),
    "login_title": ("{window} 登录", "Log in at {window}"),
    "staff_id": ("工号", "Staff id"),
    "pin": ("密码 (PIN)", "PIN"),
    "login": ("登录", "Log in"),
    "connecting": ("正在连接服务器…", "Connecting to the hub…"),
    "hub_unreachable": (
        "无法连接服务器 {url}，正在重试…",
        "Cannot reach the hub at {url}; still trying…",
    ),
    "need_staff_pin": ("请输入工号和密码。", "Enter your staff id and PIN."),
    "auth_failed": ("工号或密码不正确。", "Wrong staff id or PIN."),
    "locked": (
        "密码错误次数过多，该工号已锁定 5 分钟。",
        "Too many wrong PINs: this staff id is locked for 5 minutes.",
    ),
    "forbidden_window": ("您无权使用{window}。", "You may not use {window}."),
    "window_taken": ("{window}已由其他工作人员登录。", "Another clerk holds {window}."),
    "taken_over": (
        "本窗口已在另一台终端上登录，此处已退出。",
        "This window was opened on another terminal; you are logged out here.",
    ),
    "bad_hello": ("登录请求无效。", "The login request was refused."),
    "unsupported_version": (
        "服务器版本与本终端不兼容。",
        "The hub speaks another protocol version.",
    ),
    "bad_url": ("服务器地址无效：{url}", "The hub address is not valid: {url}"),
    "logged_out": ("已退出登录。", "Logged out."),
    "window_closed_by_supervisor": (
        "本窗口已被值班主管关闭。",
        "A supervisor closed this window.",
    ),
    # header
    "services": ("业务", "Services"),
    "clerk": ("经办人", "Clerk"),
    "online": ("● 在线", "● Online"),
    "offline": ("○ 离线", "○ Offline"),
    "w_open": ("开放", "Open"),
    "w_paused": ("暂停", "Paused"),
    "w_closed": ("关闭", "Closed"),
    "paused_reason": ("暂停：{reason}", "Paused: {reason}"),
    "offline_banner": (
        "与服务器的连接已中断，正在自动重连；操作暂不可用，已提交的操作不会丢失。",
        "Offline: reconnecting to the hub. Actions are disabled; nothing you did is lost.",
    ),
    "sending": ("正在提交…", "Sending…"),
    # current ticket
    "current": ("当前号", "Current ticket"),
    "no_current": (
        "当前没有叫号。按 F1 叫下一位。",
        "No ticket called. Press F1 to call the next.",
    ),
    "no_current_paused": ("窗口已暂停。按 F9 恢复。", "The window is paused. Press F9 to resume."),
    "waited": ("等候", "Waited"),
    "since_called": ("叫号后", "Since call"),
    "serving_for": ("已办理", "Serving for"),
    "call_reason": ("叫号原因", "Called because"),
    "recalls": ("重呼 {n} 次", "recalled {n}×"),
    "priority_mark": ("★ 优先（绿色通道）", "★ Priority"),
    "first_responsible": ("首问责任人", "First responsible"),
    "handoffs": ("转办记录", "Handoffs"),
    "handoff_line": (
        "{at} {from_window}（{staff}）→ {service}{to_window}：{reason}",
        "{at} {from_window} ({staff}) → {service}{to_window}: {reason}",
    ),
    "note": ("备注", "Note"),
    # queue
    "queue": ("等候队列", "Waiting"),
    "parked": ("挂起", "Parked"),
    "no_shows": ("今日过号", "No-shows today"),
    "col_number": ("号码", "No."),
    "col_service": ("业务", "Service"),
    "col_wait": ("等候", "Wait"),
    "col_mark": ("标记", "Mark"),
    "col_reason": ("原因", "Reason"),
    "col_time": ("时间", "Time"),
    "mark_priority": ("优", "P"),
    "mark_handoff": ("转", "H"),
    "queue_hint": ("回车或再次点击：叫此号", "Enter or click again: call it"),
    "parked_hint": ("回车或再次点击：恢复办理", "Enter or click again: unpark"),
    "no_show_hint": ("回车或再次点击：重新排队", "Enter or click again: requeue"),
    "empty": ("（无）", "(none)"),
    # figures
    "figures": ("今日统计", "Today"),
    "f_received": ("收件", "Received"),
    "f_completed": ("办结", "Completed"),
    "f_completion_rate": ("办结率", "Completion"),
    "f_pending": ("承诺件", "Pending"),
    "f_transferred_in": ("转入", "Transferred in"),
    "f_transferred_out": ("转出", "Transferred out"),
    "f_no_show": ("过号", "No-show"),
    "f_avg_wait": ("平均等候", "Avg wait"),
    "f_avg_service": ("平均办理", "Avg service"),
    "f_ratings": ("评价", "Ratings"),
    "ratings_value": ("{count} 条 · 均分 {avg}", "{count} · avg {avg}"),
    # log
    "log": ("操作记录", "Log"),
    # actions (button labels)
    "a_call_next": ("叫号", "Call next"),
    "a_recall": ("重呼", "Recall"),
    "a_start": ("开始", "Start"),
    "a_finish_done": ("办结", "Done"),
    "a_finish_pending": ("承诺件", "Pending"),
    "a_transfer": ("转办", "Transfer"),
    "a_no_show": ("过号", "No-show"),
    "a_park": ("挂起", "Park"),
    "a_pause": ("暂停", "Pause"),
    "a_resume": ("恢复", "Resume"),
    "a_logout": ("退出", "Logout"),
    # log lines of the clerk's own actions
    "l_call_next": ("叫号 {number}（{reason}）", "Called {number} ({reason})"),
    "l_call": ("选叫 {number}", "Called {number} out of order"),
    "l_recall": ("重呼 {number}", "Recalled {number}"),
    "l_start": ("开始办理 {number}", "Started {number}"),
    "l_finish_done": ("{number} 办结", "{number} done"),
    "l_finish_pending": ("{number} 承诺件", "{number} pending"),
    "l_transfer": ("{number} 转办至 {target}", "{number} transferred to {target}"),
    "l_no_show": ("{number} 过号", "{number} no-show"),
    "l_park": ("{number} 挂起：{reason}", "{number} parked: {reason}"),
    "l_unpark": ("{number} 恢复办理", "{number} unparked"),
    "l_requeue": ("{number} 重新排队", "{number} requeued"),
    "l_pause": ("窗口暂停：{reason}", "Window paused: {reason}"),
    "l_resume": ("窗口恢复", "Window resumed"),
    "l_logout": ("退出登录", "Logged out"),
    "l_error": ("失败：{message}", "Failed: {message}"),
    "l_online": ("已连接服务器", "Connected to the hub"),
    "l_offline": ("连接中断，正在重连", "Connection lost; reconnecting"),
    "l_incoming": (
        "{number} 由{from_window}转来：{reason}",
        "{number} handed off from {from_window}: {reason}",
    ),
    "l_notice": ("通知：{text}", "Notice: {text}"),
    # errors from the hub (one plain sentence each)
    "e_queue_empty": ("没有等候的号。", "Nobody is waiting."),
    "e_window_busy": (
        "请先处理当前号（办结、转办、挂起或过号）。",
        "Finish the current ticket first.",
    ),
    "e_window_paused": ("窗口已暂停，请先恢复。", "The window is paused; resume it first."),
    "e_invalid_state": (
        "该号当前状态不允许此操作。",
        "That does not fit the ticket's current state.",
    ),
    "e_not_found": ("找不到该号、业务或窗口。", "No such ticket, service or window."),
    "e_forbidden": ("无权执行此操作。", "You may not do that."),
    "e_rate_limited": ("操作过于频繁，请稍后再试。", "Too many requests; try again shortly."),
    "e_closed": ("与服务器的会话已结束。", "The session with the hub has ended."),
    "e_other": ("服务器拒绝了此操作：{message}", "The hub refused: {message}"),
    # dialogs
    "ok": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    "reason": ("原因", "Reason"),
    "reason_required": ("请填写原因。", "A reason is required."),
    "pause_title": ("暂停窗口", "Pause the window"),
    "park_title": ("挂起 {number}（群众取材料等）", "Park {number} (citizen fetches a document)"),
    "pending_title": ("{number} 按承诺件受理", "{number}: accept as pending (承诺件)"),
    "pending_note": (
        "备注（承诺办结时间、补充材料等）",
        "Note (promised date, missing documents…)",
    ),
    "other_reason": ("其他原因（自填）", "Other (type it)"),
    "preset_hint": (
        "数字键选择常用原因，或直接输入",
        "Press a number for a common reason, or type one",
    ),
    "transfer_title": (
        "转办 {number}（首问负责 · 内转外不转）",
        "Transfer {number} (first responsibility)",
    ),
    "department": ("部门", "Department"),
    "service": ("业务", "Service"),
    "target_window": ("窗口（可选）", "Window (optional)"),
    "any_window": ("任一窗口", "Any window"),
    "transfer_info": (
        "该业务开放窗口：{open}；等候 {waiting} 人。",
        "Open windows for this service: {open}; {waiting} waiting.",
    ),
    "none_open": ("无", "none"),
    "choose_service": ("请选择业务。", "Choose a service."),
    "keeps_number": ("转办后号码不变：{number}", "The ticket keeps its number: {number}"),
}

# Call reasons, ticket states, common reasons: keyed by their wire value.
REASON_TEXT: dict[str, tuple[str, str]] = {
    "transferred": ("转办", "transferred"),
    "overdue": ("超时", "overdue"),
    "priority": ("优先", "priority"),
    "fifo": ("顺序", "in turn"),
    "chosen": ("选叫", "chosen"),
}
STATE_TEXT: dict[str, tuple[str, str]] = {
    "waiting": ("等候中", "waiting"),
    "called": ("已叫号", "called"),
    "serving": ("办理中", "serving"),
    "parked": ("挂起", "parked"),
    "done": ("已办结", "done"),
    "pending": ("承诺件", "pending"),
    "no_show": ("过号", "no-show"),
    "cancelled": ("已取消", "cancelled"),
    "expired": ("已过期", "expired"),
}
# Common reasons are sent in Chinese (the hall's language) and shown translated.
PAUSE_PRESETS: tuple[tuple[str, str], ...] = (
    ("午休", "lunch"),
    ("会议", "meeting"),
    ("临时离开", "away"),
)
PARK_PRESETS: tuple[tuple[str, str], ...] = (
    ("取材料", "fetching a document"),
    ("复印材料", "making copies"),
    ("缴费", "paying a fee"),
)
_PRESET_EN = dict(PAUSE_PRESETS + PARK_PRESETS)


def t(lang: str, key: str, **kw: Any) -> str:
    """The text for `key` in `lang` (zh unless 'en'), formatted with `kw`."""
    zh, en = TEXTS[key]
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text


def _pick(table: dict[str, tuple[str, str]], lang: str, value: str | None) -> str:
    if value is None:
        return ""
    pair = table.get(value)
    if pair is None:
        return value
    return pair[1] if lang == "en" else pair[0]


def reason_text(lang: str, reason: str | None) -> str:
    """A call reason as the clerk reads it."""
    return _pick(REASON_TEXT, lang, reason)


def state_text(lang: str, state: str | None) -> str:
    """A ticket state as the clerk reads it."""
    return _pick(STATE_TEXT, lang, state)


def preset_text(lang: str, reason: str) -> str:
    """A pause or park reason, translated when it is one of the common ones."""
    if lang == "en" and reason in _PRESET_EN:
        return _PRESET_EN[reason]
    return reason


def error_text(lang: str, code: str, message: str = "") -> str:
    """One plain sentence for an error the hub (or the client) reported."""
    key = "e_" + code
    if key in TEXTS:
        return t(lang, key)
    return t(lang, "e_other", message=message or code)
