"""Every word the kiosk shows, 中文 first and English second.

`t(key, lang, **fields)` picks one language and fills the fields; a missing key
is a programming error caught by the tests (every key has both languages).
The hub words its own errors: the kiosk only words what happens here
(no answer in time, no connection, a bug).
"""

from __future__ import annotations

from typing import Final

from shared.calling import NO_WINDOW
from shared.i18n import Texts

STRINGS: Final[dict[str, tuple[str, str]]] = {
    # header and common
    "lang_toggle": ("English", "中文"),
    "back": ("返回", "Back"),
    "home": ("首页", "Home"),
    "keys_hint": (
        "数字键 1-9 选择 · 方向键/Tab 移动 · 回车 确认 · Esc 返回 · 0 关怀模式",
        "Keys 1-9 choose · arrows/Tab move · Enter confirm · Esc back · 0 care mode",
    ),
    # care mode (关怀模式 / 长辈版): big text, plain words, read aloud
    "care_on": ("关怀模式 长辈版", "Care mode"),
    "care_off": ("返回普通版", "Normal screen"),
    "care_repeat": ("再听一遍", "Hear it again"),
    "care_keys": (
        "按数字选择 · 回车 确认 · Esc 返回 · + 再听一遍 · 0 普通版",
        "Numbers choose · Enter confirm · Esc back · + hear again · 0 normal screen",
    ),
    "voice_unavailable": (
        "语音播报不可用（未安装 espeak-ng）",
        "Voice unavailable (espeak-ng is not installed)",
    ),
    "care_home": ("请选您要去的部门", "Choose a department"),
    "care_dept": ("请选您要办的事", "Choose what you need"),
    "care_materials": ("要带的材料", "Bring these"),
    "care_fee": ("要交的钱", "Fee"),
    "care_time": ("多久办好", "How long it takes"),
    "care_windows": ("去哪个窗口", "Which window"),
    "care_queue": ("现在排队", "Queue now"),
    "care_ahead": ("前面 {n} 人", "{n} ahead of you"),
    "care_go": ("请去 {w}", "Go to {w}"),
    "care_priority": ("绿色通道", "Priority line"),
    "care_priority_sub": ("老年人优先", "Elderly first"),
    "care_regular": ("普通取号", "Regular ticket"),
    "care_how": ("请选怎么排队", "How do you want to queue?"),
    "offline": (
        "暂停取号：正在连接服务大厅系统，请稍候或咨询工作人员",
        "Ticket issuing paused: reconnecting to the hall system. Please wait or ask staff.",
    ),
    "connecting": (
        "正在连接服务大厅系统…",
        "Connecting to the hall system…",
    ),
    "unauthorised": (
        "暂停取号：本机未获授权，请联系工作人员",
        "Ticket issuing paused: this kiosk is not authorised. Please ask staff.",
    ),
    # home
    "welcome": ("欢迎办事，请选择办理部门", "Welcome. Please choose a department"),
    "no_departments": ("暂无可办理的部门", "No departments are open for tickets"),
    "waiting_n": ("等候 {n} 人", "{n} waiting"),
    # department
    "choose_service": ("请选择办理事项", "Please choose a service"),
    "eta_about": ("约 {m} 分钟", "about {m} min"),
    "ahead_short": ("前面 {n} 人", "{n} ahead"),
    "no_window": NO_WINDOW,
    "no_wait": ("无需等候", "no wait"),
    # guide
    "guide": ("办事指南", "Service guide"),
    "materials": ("所需材料", "Required materials"),
    "no_materials": ("无需材料", "No documents needed"),
    "fee": ("收费标准", "Fee"),
    "time_limit": ("办理时限", "Time limit"),
    "windows": ("办理窗口", "Windows"),
    "no_windows": ("暂无窗口，请咨询工作人员", "No window yet: please ask staff"),
    "queue_now": ("当前等候", "Waiting now"),
    "take_ticket": ("取号", "Take a ticket"),
    "paused_short": ("暂停取号", "Issuing paused"),
    # a service that does not issue now (the hub's `issuing` in its estimates)
    "issuing_not_yet": ("暂未开始取号", "Not issuing yet"),
    "issuing_stopped": ("已停止取号", "Issuing stopped for today"),
    "issuing_closed_day": ("今日不办公", "Closed today"),
    "issuing_quota_full": ("今日号已取完", "Today's tickets are all taken"),
    "opens_at": ("{at} 起可取号", "Opens {at}"),
    # priority
    "how_queue": ("请选择取号方式", "How would you like to queue?"),
    "regular": ("普通取号", "Regular ticket"),
    "regular_sub": ("按取号顺序叫号", "Called in the order of arrival"),
    "priority": ("绿色通道", "Priority (green channel)"),
    "priority_sub": (
        "老年人、残疾人、孕妇优先办理",
        "For elderly, disabled or pregnant visitors",
    ),
    "priority_note": (
        "如不需要，请选择“普通取号”。工作人员可能核实绿色通道资格。",
        "If this does not apply to you, choose “Regular ticket”. Staff may check.",
    ),
    "issuing": ("正在取号，请稍候…", "Issuing your ticket, please wait…"),
    "issuing_offline": (
        "正在取号：连接恢复后自动完成，请稍候",
        "Issuing your ticket: it completes as soon as the connection is back",
    ),
    "issue_failed": (
        "取号未成功：{reason}。请重试或咨询工作人员。",
        "No ticket was issued: {reason}. Please try again or ask staff.",
    ),
    "err_timeout": ("系统响应超时", "the hall system did not answer in time"),
    "err_offline": ("本机未连接服务大厅系统", "this kiosk is not connected to the hall system"),
    "err_closed": ("本机已停止连接", "this kiosk is disconnected"),
    "err_other": ("系统繁忙", "the hall system is busy"),
    # ticket
    "your_number": ("您的号码", "Your number"),
    "priority_ticket": ("绿色通道", "Priority"),
    "ahead": ("前面还有 {n} 人", "{n} people ahead of you"),
    "eta_ticket": ("预计等候约 {m} 分钟", "Estimated wait: about {m} min"),
    "go_to": ("叫号后请前往：{w}", "When called, go to: {w}"),
    "scan": ("扫码查看排队进度", "Scan to follow your place in line"),
    "issued_at": ("取号时间 {t}", "Issued at {t}"),
    "print_printing": ("正在打印号票…", "Printing your ticket…"),
    "print_done": ("请取走打印的号票", "Please take your printed ticket"),
    "print_fault": (
        "打印机故障：请记住号码或扫描二维码，并告知工作人员",
        "Printer problem: note your number or scan the QR code, and please tell staff",
    ),
    "print_none": (
        "本机不打印号票：请记住号码或扫描二维码",
        "No paper ticket here: note your number or scan the QR code",
    ),
    "done": ("完成", "Done"),
    # visits: several services on one ticket (一门受理), bundles (一件事一次办)
    "bundle_tile": ("一件事一次办 · {n} 项", "One visit · {n} services"),
    "bundle_prompt": ("一件事一次办", "Several services in one visit"),
    "bundle_steps": (
        "办理环节（一张号，按顺序自动转到下一窗口）",
        "Steps (one ticket, on to the next window by itself)",
    ),
    "parallel": ("并联，可同时办理", "in parallel, any order"),
    "fee_step": (
        "最后在收费窗口统一缴费：¥{total}（{windows}）",
        "Last, pay at the fee window: ¥{total} ({windows})",
    ),
    "add_another": ("再办一项", "Add another service"),
    "add_another_sub": ("已选 {n} 项，最多 {max} 项", "{n} chosen, at most {max}"),
    "add_full": ("已选满 {max} 项", "{max} chosen: the most in one visit"),
    "chosen_so_far": ("已选：{names}；请再选一项", "Chosen: {names}. Choose one more"),
    "take_visit": ("取号（共 {n} 项）", "Take one ticket ({n} services)"),
    "visit_prompt": ("共 {n} 项：{names}", "{n} services: {names}"),
    "ticket_steps": ("办理环节：", "Steps:"),
    # 预约签到 (check-in of a booking)
    "checkin_tile": ("预约签到", "Booked? Check in"),
    "checkin_tile_sub": ("已在手机上预约，请点此签到", "Booked on your phone: check in here"),
    "checkin_prompt": (
        "预约签到：请输入预约码（预约确认页上的 8 位码）",
        "Check in: type your booking code (the 8 characters on your confirmation)",
    ),
    "checkin_code": ("预约码", "Booking code"),
    "checkin_tail": ("手机号后四位（可不填）", "Last four digits of your mobile (optional)"),
    "checkin_go": ("签到取号", "Check in"),
    "checkin_go_sub": ("领取预约号票", "Get your booked ticket"),
    "checkin_ordinary": ("取普通号", "Take an ordinary ticket"),
    "checkin_ordinary_sub": (
        "已过签到时间，可按普通顺序排队",
        "Check-in has closed: queue as usual",
    ),
    "checkin_busy": ("正在签到，请稍候…", "Checking in, please wait…"),
    "checkin_failed": ("签到未成功：{reason}", "Not checked in: {reason}"),
    "checkin_need_code": ("请先输入预约码", "Type your booking code first"),
    "booked_ticket": ("预约", "Booked"),
    "booked_at": (
        "预约时段 {t}，时段开始后优先叫号",
        "Booked for {t}: called ahead once it starts",
    ),
    # staff
    "staff_check": ("工作人员验证", "Staff check"),
    "staff_exit": ("退出取号机：请输入管理密码", "Close the kiosk: enter the staff PIN"),
    "staff_reprint": ("补打号票：请输入管理密码", "Reprint the last ticket: enter the staff PIN"),
    "pin_wrong": ("密码错误", "Wrong PIN"),
    "cancel": ("取消", "Cancel"),
    "confirm": ("确认", "Confirm"),
    "no_last_ticket": ("本机尚未出过号票", "No ticket has been issued here yet"),
    "reprinting": ("正在补打 {n}", "Reprinting {n}"),
}


t = Texts(STRINGS)

# Errors the kiosk itself raises (shared.client: timeout, closed; KioskApp.issue: offline).
LOCAL_ERRORS: Final = ("timeout", "offline", "closed")


def error_reason(code: str, message: str, lang: str) -> str:
    """Why a ticket was not issued: the hub's own words, or ours for a local failure."""
    if code in LOCAL_ERRORS:
        return t(f"err_{code}", lang)
    return message.rstrip("。.") or t("err_other", lang)
