"""Every text the lobby board and the supervisor board show, in 中文 and English.

States and figures are named by `shared.labels`; the hub words its own
refusals, this table only what happens here (offline, no answer in time).
"""

from __future__ import annotations

from typing import Final

from shared.i18n import Texts

# key -> (中文, English); `{name}` placeholders are filled by `t(..., name=value)`.
STRINGS: Final[dict[str, tuple[str, str]]] = {
    # lobby board
    "title": ("大厅叫号屏", "Lobby board"),
    "title_supervisor": ("值班长看板", "Supervisor board"),
    "catalogue_version": ("目录版本 {n}", "catalogue v{n}"),
    "closing": ("{at} 闭厅时预计仍有 {n} 人等候", "At closing ({at}) about {n} still waiting"),
    "closing_done": ("，预计 {at} 办完", ", all done by about {at}"),
    "closing_unserved": (
        "；其中 {n} 人的事项暂无窗口开放",
        "; {n} wait for a service no open window serves",
    ),
    "latest_call": ("最新叫号", "Now calling"),
    "no_call": ("暂无叫号", "No call yet"),
    "call_line_zh": (
        "请 {number} 号到 {window} 号窗口办理",
        "请 {number} 号到 {window} 号窗口办理",
    ),
    "call_line_en": (
        "Ticket {number}, please go to window {window}",
        "Ticket {number}, please go to window {window}",
    ),
    "recall_mark": ("再次呼叫", "Recall"),
    "windows": ("窗口", "Windows"),
    "recent_calls": ("最近叫号", "Recent calls"),
    "waiting": ("等候人数", "Waiting"),
    "waiting_total": ("合计", "Total"),
    "more_departments": ("…另有 {n} 个部门", "…{n} more departments"),
    "window_no": ("{n}号", "W{n}"),
    "idle": ("空闲", "Free"),
    "notice": ("通知", "Notice"),
    "stale_offline": (
        "！与服务器的连接已中断,正在重新连接…  本屏信息可能已过时(最后更新 {at})",
        "!! Connection to the hub lost, reconnecting…  This board may be out of date (last update {at})",
    ),
    "stale_silent": (
        "！服务器无响应,正在重新连接…  本屏信息可能已过时(最后更新 {at})",
        "!! The hub does not answer, reconnecting…  This board may be out of date (last update {at})",
    ),
    "connecting": ("正在连接服务器…", "Connecting to the hub…"),
    "never": ("无", "never"),
    "voice_missing": (
        "语音播报不可用:未安装 espeak-ng,本屏改为静音显示。",
        "Voice is off: espeak-ng is not installed; the board goes on silently.",
    ),
    "voice_failed": (
        "语音播报出错,本屏改为静音显示:{error}",
        "Voice failed, the board goes on silently: {error}",
    ),
    # supervisor login
    "login_title": ("值班长登录", "Supervisor login"),
    "login_staff": ("工号:{staff}", "Staff ID: {staff}"),
    "login_pin": ("PIN 码", "PIN"),
    "login_submit": ("登录", "Log in"),
    "login_quit": ("退出", "Quit"),
    "hub_refused": ("服务器拒绝了连接:{message}", "The hub refused the connection: {message}"),
    # supervisor tabs
    "tab_board": ("大厅", "Hall"),
    "tab_metrics": ("窗口指标", "Window figures"),
    "bookings_title": (
        "今日预约（时段 · 事项 · 已预约 · 已签到 · 未签到）",
        "Today's bookings (slot · service · booked · checked in · no-show)",
    ),
    "bookings_row": (
        "{slot}  {service}  预约 {booked}  签到 {checked_in}  未签到 {no_show}",
        "{slot}  {service}  booked {booked}  in {checked_in}  no-show {no_show}",
    ),
    "tab_alerts": ("告警 ({n})", "Alerts ({n})"),
    "tab_actions": ("操作", "Actions"),
    "hall_totals": ("全厅合计", "Hall totals"),
    "no_metrics": ("暂无指标数据", "No figures yet"),
    # metrics columns that are not metric fields (those are named by shared.labels)
    "m_state": ("状态", "State"),
    "m_staff": ("工号", "Staff"),
    "ratings_fmt": ("{avg}({count}条)", "{avg} ({count})"),
    # alerts
    "no_alerts": ("当前无告警", "No alerts"),
    "a_overdue": (
        "{number} 已等候 {minutes} 分钟(超过 {limit} 分钟)· {service}",
        "{number} has waited {minutes} min (over {limit}) · {service}",
    ),
    "a_unserved": (
        "{service}:{n} 人等候,但没有开放的窗口",
        "{service}: {n} waiting but no open window",
    ),
    "a_unattended": (
        "{window} 无人值守:终端已断开 {minutes} 分钟{ticket}",
        "{window} unattended: its terminal has been gone {minutes} min{ticket}",
    ),
    "a_unattended_ticket": ("，{number} 仍被叫到该窗口", "; {number} is still called there"),
    "a_paused": (
        "{window} 已暂停 {minutes} 分钟:{reason}",
        "{window} paused for {minutes} min: {reason}",
    ),
    "a_rating": (
        "差评 {level} 分 · {number} · {window}:{reason}",
        "Bad rating {level} · {number} · {window}: {reason}",
    ),
    "a_printer": ("打印机故障 · {kiosk}:{message}", "Printer fault · {kiosk}: {message}"),
    "a_complaint": ("投诉 · {number}:{text}", "Complaint · {number}: {text}"),
    "a_case_overdue": (
        "办件超期 · {case} · {service}:应于 {due} 办结",
        "Case overdue · {case} · {service}: due {due}",
    ),
    "a_case_due_soon": (
        "办件即将到期 · {case} · {service}:{due} 到期",
        "Case due soon · {case} · {service}: due {due}",
    ),
    # open cases per department (办件)
    "cases_title": ("在办办件(按部门)", "Open cases by department"),
    "cases_none": ("暂无在办办件", "No open cases"),
    "cases_row": (
        "{department}:在办 {open} · 即将到期 {due_soon} · 超期 {overdue}",
        "{department}: open {open} · due soon {due_soon} · overdue {overdue}",
    ),
    "a_complaint_due": ("投诉 {id} 即将到期（期限 {due}）", "Complaint {id} due soon (due {due})"),
    "a_complaint_overdue": ("投诉 {id} 已超期（期限 {due}）", "Complaint {id} overdue (due {due})"),
    "complaints_title": ("待办投诉", "Open complaints"),
    "complaints_none": ("暂无待办投诉", "No open complaints"),
    "complaint_line": (
        "{id} · {state} · 期限 {due}{urgency} · {who}",
        "{id} · {state} · due {due}{urgency} · {who}",
    ),
    "c_overdue": (" 已超期", " overdue"),
    "c_due_soon": (" 即将到期", " due soon"),
    "new_mark": ("新", "NEW"),
    # acting on complaints (the alerts tab: F4 focuses the list)
    "c_selected": ("▶ ", "▶ "),
    "c_keys": (
        "↑↓ 选择 · a 受理 · n 记录 · y 答复 · c 结案 · x 驳回",
        "↑↓ pick · a accept · n note · y answer · c close · x reject",
    ),
    "c_ask_note": ("投诉 {id}:调查记录", "Complaint {id}: investigation note"),
    "c_ask_answer": ("投诉 {id}:给群众的答复", "Complaint {id}: the answer to the citizen"),
    "c_ask_reason": ("投诉 {id}:驳回理由", "Complaint {id}: reason for rejecting"),
    "c_send": ("提交", "Submit"),
    "err_c_pick": ("没有待办投诉可操作", "No open complaint to act on"),
    "err_c_text": ("请填写内容后再提交", "Write the text before submitting"),
    "done_c_accept": ("投诉 {id} 已受理", "Complaint {id} accepted"),
    "done_c_note": ("投诉 {id} 已记录", "Complaint {id}: note added"),
    "done_c_answer": ("投诉 {id} 已答复", "Complaint {id} answered"),
    "done_c_close": ("投诉 {id} 已结案", "Complaint {id} closed"),
    "done_c_reject": ("投诉 {id} 已驳回", "Complaint {id} rejected"),
    # unlocking staff locked out after wrong PINs (the alerts tab: F5 focuses the list)
    "locked_title": ("已锁定的工作人员", "Locked-out staff"),
    "locked_line": ("{id} {name} · 锁定至 {until}", "{id} {name} · locked until {until}"),
    "u_keys": ("↑↓ 选择 · u 解锁", "↑↓ pick · u unlock"),
    "confirm_unlock": ("确定解锁 {id} {name}?", "Unlock {id} {name}?"),
    "err_u_none": ("没有被锁定的工作人员", "Nobody is locked out"),
    "err_unlock": ("解锁失败", "Unlock failed"),
    "done_unlock": ("{id} {name} 已解锁", "{id} {name} unlocked"),
    # actions
    "act_notice": ("发布通知", "Post a notice"),
    "act_notice_text": ("通知内容", "Notice text"),
    "act_notice_minutes": ("显示分钟数(空=一直显示)", "Minutes shown (empty = until replaced)"),
    "act_post": ("发布", "Post"),
    "act_window": ("调整窗口", "Change a window"),
    "act_pick_window": ("选择窗口", "Pick a window"),
    "act_save_services": ("保存服务事项", "Save services"),
    "act_close_window": ("关闭窗口", "Close window"),
    "confirm_close": (
        "确定关闭 {window}?该窗口的工作人员将被登出。",
        "Close {window}? Its clerk will be logged out.",
    ),
    "confirm_close_busy": (
        "确定关闭 {window}?该窗口的工作人员将被登出。{number}({state})如何处理?",
        "Close {window}? Its clerk will be logged out. What becomes of {number} ({state})?",
    ),
    "yes": ("确定", "Yes"),
    "no": ("取消", "No"),
    "done_notice": ("通知已发布", "Notice posted"),
    "done_services": ("{window} 的服务事项已更新", "{window}: services updated"),
    "done_close": ("{window} 已关闭", "{window} closed"),
    "err_notice_empty": ("请填写通知内容", "Write the notice text first"),
    "err_minutes": ("分钟数须为正整数", "Minutes must be a positive whole number"),
    "err_pick_window": ("请先选择窗口", "Pick a window first"),
    "err_no_services": ("至少选择一项服务", "Pick at least one service"),
    "err_hub": ("操作失败:{message}", "Failed: {message}"),
    "err_offline": ("未连接服务器,请稍后再试", "Not connected to the hub, try again shortly"),
    "err_timeout": (
        "服务器未及时响应,请稍后再试",
        "The hub did not answer in time, try again shortly",
    ),
}


t = Texts(STRINGS)

# Errors the client raises itself (shared.client), worded here: their message is for the log.
LOCAL_ERRORS: Final = {"timeout": "err_timeout", "closed": "err_offline"}


def error_text(code: str, message: str, lang: str) -> str:
    """One plain sentence for an error: the hub's own words, or ours for a local one."""
    if code in LOCAL_ERRORS:
        return t(LOCAL_ERRORS[code], lang)
    return message or code


def both(key: str, **fields: object) -> str:
    """A refusal said in both languages, 中文 first, whatever the board's language."""
    return f"{t(key, 'zh', **fields)} / {t(key, 'en', **fields)}"
