"""Every text the counter terminal shows, 中文 and English.

States, call reasons and figures are named by `shared.labels`; the hub words
its own refusals (this table only words what happens here: no answer in
time, the session ended, another terminal took the window).
"""

from __future__ import annotations

from typing import Final

from shared.i18n import Texts

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
    "taken_over": (
        "本窗口已在另一台终端上登录，此处已退出。",
        "This window was opened on another terminal; you are logged out here.",
    ),
    "bad_url": ("服务器地址无效：{url}", "The hub address is not valid: {url}"),
    "logged_out": ("已退出登录。", "Logged out."),
    "window_closed_by_supervisor": (
        "本窗口已被值班主管关闭。",
        "A supervisor closed this window.",
    ),
    # cases (办件, F12)
    "cases_key": (
        "F12 办件 {n}(即将到期 {soon} · 超期 {overdue})",
        "F12 Cases {n} (due soon {soon} · overdue {overdue})",
    ),
    "cases_title": (
        "本部门在办办件 {n} 件 · 即将到期 {soon} · 超期 {overdue}(今天 {day})",
        "Open cases of the department: {n} · due soon {soon} · overdue {overdue} (today {day})",
    ),
    "cases_search": ("搜索:办件编号、排队号或日期", "Search: case id, ticket number or date"),
    "cases_none": ("没有在办办件。", "No open cases."),
    "col_case": ("办件编号", "Case"),
    "col_received": ("收件日期", "Received"),
    "col_due": ("承诺办结日", "Due"),
    "col_case_state": ("状态", "State"),
    "complete_title": ("办结 {case}", "Complete {case}"),
    "complete_note": ("办结说明(可不填)", "Note (optional)"),
    "return_title": ("退件 {case}", "Return {case}"),
    "return_reason": ("退件原因(必填)", "Reason for returning (required)"),
    "l_complete_case": ("办件 {case} 已办结", "Case {case} completed"),
    "l_return_case": ("办件 {case} 已退件:{reason}", "Case {case} returned: {reason}"),
    # header
    "services": ("业务", "Services"),
    "clerk": ("经办人", "Clerk"),
    "online": ("● 在线", "● Online"),
    "offline": ("○ 离线", "○ Offline"),
    "paused_reason": ("{state}：{reason}", "{state}: {reason}"),
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
    # a visit of several services (一门受理)
    "steps": ("本次办理环节（同一号码）", "Steps of this visit (one ticket)"),
    "step_here": ("本窗口", "this window"),
    "step_parallel": ("并联", "parallel"),
    "fee_items": ("收费明细：{items}；合计 ¥{total}", "Fees: {items}; total ¥{total}"),
    "fee_hint": (
        "F4 办结＝已缴费；F5 承诺件＝未缴费（写明原因）",
        "F4 done = paid; F5 pending = unpaid (say why)",
    ),
    "paid": ("已缴费", "paid"),
    "unpaid": ("未缴费", "unpaid"),
    # queue
    "queue": ("等候队列", "Waiting"),
    "no_shows": ("今日过号", "No-shows today"),
    "col_number": ("号码", "No."),
    "col_service": ("业务", "Service"),
    "col_wait": ("等候", "Wait"),
    "col_mark": ("标记", "Mark"),
    "col_reason": ("原因", "Reason"),
    "next_bookings": ("今日预约：{items}", "Bookings today: {items}"),
    "booking_item": ("{at} {name}(尾号{tail}){mark}", "{at} {name} (…{tail}){mark}"),
    "mark_booked": ("约{at}", "bk {at}"),
    "col_time": ("时间", "Time"),
    "mark_priority": ("优", "P"),
    "mark_handoff": ("转", "H"),
    "queue_hint": ("回车或再次点击：叫此号", "Enter or click again: call it"),
    "parked_hint": ("回车或再次点击：恢复办理", "Enter or click again: unpark"),
    "no_show_hint": ("回车或再次点击：重新排队", "Enter or click again: requeue"),
    "empty": ("（无）", "(none)"),
    # figures
    "figures": ("今日统计", "Today"),
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
    "l_change_pin": (
        "密码已修改，下次登录请用新密码",
        "PIN changed: log in with the new PIN next time",
    ),
    "l_logout": ("退出登录", "Logged out"),
    "l_error": ("失败：{message}", "Failed: {message}"),
    "l_online": ("已连接服务器", "Connected to the hub"),
    "l_offline": ("连接中断，正在重连", "Connection lost; reconnecting"),
    "l_incoming": (
        "{number} 由{from_window}转来：{reason}",
        "{number} handed off from {from_window}: {reason}",
    ),
    "l_notice": ("通知：{text}", "Notice: {text}"),
    # what goes wrong here, not at the hub (the hub words its own refusals)
    "e_timeout": ("服务器未及时响应，请重试。", "The hub did not answer in time; try again."),
    "e_closed": ("与服务器的会话已结束。", "The session with the hub has ended."),
    "e_other": ("服务器拒绝了此操作：{message}", "The hub refused: {message}"),
    # dialogs
    "ok": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    "reason": ("原因", "Reason"),
    "reason_required": ("请填写原因。", "A reason is required."),
    "pause_title": ("暂停窗口", "Pause the window"),
    "pin_title": ("修改密码（Ctrl+P）", "Change your PIN (Ctrl+P)"),
    "pin_old": ("原密码", "Current PIN"),
    "pin_new": ("新密码（4-12 位数字）", "New PIN (4-12 digits)"),
    "pin_again": ("再输一次新密码", "New PIN again"),
    "pin_empty": ("请填写原密码和两次新密码。", "Fill in the current PIN and the new PIN twice."),
    "pin_digits": (
        "新密码应为 4 到 12 位数字 0-9（半角）。",
        "The new PIN must be 4 to 12 digits 0-9.",
    ),
    "pin_differ": ("两次输入的新密码不一致。", "The two new PINs differ."),
    "pin_same": ("新密码不能与原密码相同。", "The new PIN must differ from the current one."),
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


t = Texts(TEXTS)


def preset_text(reason: str, lang: str) -> str:
    """A pause or park reason, translated when it is one of the common ones."""
    if lang == "en" and reason in _PRESET_EN:
        return _PRESET_EN[reason]
    return reason


# Errors the client raises itself (shared.client), worded here: their message is for the log.
LOCAL_ERRORS: Final = {"timeout": "e_timeout", "closed": "e_closed", "taken_over": "taken_over"}


def error_text(code: str, message: str, lang: str) -> str:
    """One plain sentence for an error: the hub's own words, or ours for a local one."""
    if code in LOCAL_ERRORS:
        return t(LOCAL_ERRORS[code], lang)
    return message or t("e_other", lang, message=code)
