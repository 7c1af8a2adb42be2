/* labels.js: the hall's words (states, reasons, metric fields, rating levels) and the
 * supervisor's alert rules, each as [中文, English]. GENERATED from shared/labels.py and
 * shared/alerts.py by `python -m shared.labels --js > hub/web/labels.js`: do not edit.
 */
"use strict";
window.HallLabels = Object.freeze({
  ticketStates: {
    "waiting": ["等候中", "Waiting"],
    "called": ["已叫号", "Called"],
    "serving": ["办理中", "Serving"],
    "parked": ["挂起", "Parked"],
    "done": ["已办结", "Done"],
    "pending": ["承诺件", "Pending"],
    "no_show": ["过号", "No-show"],
    "cancelled": ["已取消", "Cancelled"],
    "expired": ["已过期", "Expired"],
  },
  windowStates: {
    "open": ["开放", "Open"],
    "paused": ["暂停", "Paused"],
    "closed": ["关闭", "Closed"],
  },
  windowMarks: {
    "unattended": ["无人值守", "Unattended"],
  },
  closeOutcomes: {
    "requeue": ["退回队首", "Back to the front of its queue"],
    "done": ["办结", "Done"],
    "no_show": ["过号", "No-show"],
  },
  callReasons: {
    "transferred": ["转办", "transferred"],
    "overdue": ["超时", "overdue"],
    "priority": ["优先", "priority"],
    "fifo": ["顺序", "in turn"],
    "chosen": ["选叫", "chosen"],
  },
  metrics: {
    "day": ["日期", "Day", "date"],
    "window": ["窗口", "Window", "window"],
    "issued": ["取号", "Issued", "count"],
    "waiting": ["等候", "Waiting", "count"],
    "received": ["收件", "Received", "count"],
    "completed": ["办结", "Completed", "count"],
    "pending": ["承诺件", "Pending", "count"],
    "transferred_in": ["转入", "Transferred in", "count"],
    "transferred_out": ["转出", "Transferred out", "count"],
    "no_show": ["过号", "No-show", "count"],
    "cancelled": ["取消", "Cancelled", "count"],
    "completion_rate": ["办结率", "Completion rate", "rate"],
    "first_responsibility_closure_rate": ["首问办结率", "First-resp. closure rate", "rate"],
    "avg_wait_s": ["平均等候", "Avg wait", "s"],
    "max_wait_s": ["最长等候", "Max wait", "s"],
    "avg_service_s": ["平均办理", "Avg service", "s"],
    "on_duty_s": ["在岗时长", "On-duty time", "s"],
    "paused_s": ["暂停时长", "Pause time", "s"],
    "ratings": ["评价", "Ratings", "ratings"],
    "ratings.count": ["评价数", "Number of ratings", "count"],
    "ratings.avg": ["平均评价", "Avg rating", "level"],
  },
  ratingLevels: {
    "5": ["非常满意", "Very satisfied"],
    "4": ["满意", "Satisfied"],
    "3": ["基本满意", "Fairly satisfied"],
    "2": ["不满意", "Dissatisfied"],
    "1": ["非常不满意", "Very dissatisfied"],
  },
  alerts: {
    "kinds": ["unattended", "overdue", "unserved", "paused", "rating", "printer", "complaint"],
    "max_wait_policy": "max_wait_minutes",
    "max_wait_default": 45,
    "pause_minutes": 15,
    "bad_rating_max": 2,
    "strict": true,
    "unattended_field": "unattended_since",
    "busy_states": ["called", "serving"],
  },
});
