/* ticket.js: the citizen's phone page (/t/<token>).
 *
 * A `citizen` client of the hub: it sees only its own ticket, `position`
 * frames and notices. Everything shown is rebuilt from the state (ticket,
 * ahead, eta, can_rate) by render(); the language toggle re-renders. Text
 * goes in with textContent only.
 */
"use strict";

(function () {
  const H = window.Hall;
  const L = window.HallLabels; // the hall's words (labels.js, from shared/labels.py)
  const $ = (id) => document.getElementById(id);
  const LANG_KEY = "hall.lang";
  const NEAR = 3;

  // Texts: key -> [中文, English]; functions take arguments.
  const T = {
    connecting: ["正在连接…如长时间未恢复，请检查网络", "Connecting… check your network if this stays"],
    offline: ["网络中断，正在自动重连，显示的信息可能不是最新", "Offline: reconnecting by itself; what you see may be out of date"],
    notice: ["公告：", "Notice:"],
    fatal_title: ["未找到该排队号", "Ticket not found"],
    fatal_body: ["该排队号无效或已失效。请到服务台咨询。", "This ticket is not valid or has lapsed. Please ask at the service desk."],
    your_number: ["您的排队号", "Your ticket"],
    state: ["状态：", "Status: "],
    ahead_pre: ["前面还有 ", "People ahead of you: "],
    ahead_post: [" 人", ""],
    eta: [(m) => "预计等候约 " + m + " 分钟", (m) => "Estimated wait: about " + m + " min"],
    eta_now: ["即将叫到您", "You will be called very soon"],
    no_window: ["暂无窗口受理，开窗后按顺序叫号", "No window is serving this now; you will be called in order when one opens"],
    near: ["快到您了！前面不超过 3 人，请回到大厅留意叫号。", "Almost your turn: 3 or fewer ahead. Please come back to the hall and watch the board."],
    next: ["下一位就是您，请留意叫号。", "You are next: please watch the board."],
    call_go: ["请到", "Please go to"],
    window_unit: ["号窗口", ""],
    call_text: [(n, w) => "请 " + n + " 号到 " + w + " 号窗口办理", (n, w) => "Ticket " + n + ", please go to window " + w],
    call_recall: [(k) => "第 " + k + " 次呼叫，请尽快前往", (k) => "Called " + k + " times: please hurry"],
    serving: [(w) => "正在 " + w + " 号窗口办理", (w) => "Being served at window " + w],
    parked: [(w) => "已挂起：请补齐材料后回到 " + w + " 号窗口", (w) => "Parked: bring the missing documents back to window " + w],
    handoff_title: ["请前往下一个窗口", "Please go to the next window"],
    handoff_window: [(n, w, s) => "请保留排队号 " + n + "，到 " + w + " 号窗口办理「" + s + "」。无需重新取号。", (n, w, s) => "Keep your ticket " + n + " and go to window " + w + " for \u201c" + s + "\u201d. No new ticket needed."],
    handoff_service: [(n, ws, s) => "请保留排队号 " + n + "，等候「" + s + "」叫号" + (ws ? "（" + ws + " 号窗口）" : "") + "。无需重新取号。", (n, ws, s) => "Keep your ticket " + n + " and wait to be called for \u201c" + s + "\u201d" + (ws ? " (window " + ws + ")" : "") + ". No new ticket needed."],
    final_done: ["已办结，感谢您的耐心。", "Completed. Thank you for your patience."],
    final_pending: ["已受理（承诺件），办结后将通知您。", "Accepted: it will be completed later, and you will be told."],
    final_cancelled: ["此排队号已取消。", "This ticket was cancelled."],
    final_expired: ["此排队号已过期（当天未办理）。如需办理请重新取号。", "This ticket has expired (not served that day). Take a new ticket if you still need the service."],
    final_no_show: ["您已过号。请到窗口或服务台说明，可重新排队。", "You missed your call. Go to the window or the service desk to rejoin the queue."],
    rate_title: ["好差评：请评价本次办理", "Please rate this service"],
    rate_window: [(w) => w + " 号窗口", (w) => "Window " + w],
    rate_legend: ["满意程度", "How satisfied are you?"],
    rate_reason: ["原因或建议", "Reason or suggestion"],
    rate_reason_hint: ["选择“不满意”或“非常不满意”时必须填写原因。", "A reason is required for \u201cdissatisfied\u201d or \u201cvery dissatisfied\u201d."],
    rate_submit: ["提交评价", "Submit rating"],
    rate_pick: ["请先选择满意程度。", "Please choose a level first."],
    rate_thanks: ["感谢您的评价！", "Thank you for your rating!"],
    guide_title: ["办事指南", "Service guide"],
    materials: ["请准备以下材料", "Please have these ready"],
    no_materials: ["无需特别材料，请携带身份证件。", "No special documents; bring your ID."],
    fee: ["收费", "Fee"],
    time_limit: ["办理时限", "Time limit"],
    cancel_btn: ["取消排队", "Leave the queue"],
    cancel_q: ["确定要取消排队吗？取消后此号码作废。", "Leave the queue? This ticket will no longer be valid."],
    cancel_yes: ["确定取消", "Yes, leave"],
    cancel_no: ["继续等候", "Keep waiting"],
    complain_title: ["投诉或意见", "Complaint or feedback"],
    complain_label: ["请描述您遇到的问题", "Tell us what went wrong"],
    complain_submit: ["提交", "Send"],
    complain_empty: ["请填写内容。", "Please write something first."],
    complain_ok: ["已提交，主管会尽快处理。", "Sent: a supervisor will look at it soon."],
    complaints_title: ["我的投诉", "My complaints"],
    complaint_state: [
      (st) => ({ received: "已收到", accepted: "已受理", investigating: "调查中", answered: "已答复", closed: "已结案", rejected: "不予受理" }[st] || st),
      (st) => ({ received: "Received", accepted: "Accepted", investigating: "Investigating", answered: "Answered", closed: "Complaint closed", rejected: "Not taken up" }[st] || st),
    ],
    complaint_due: [(d) => "答复期限 " + d, (d) => "Answer due " + d],
    complaint_answer: ["答复：", "Answer: "],
    complaint_reason: ["原因：", "Reason: "],
    sound_btn: ["开启提示音", "Turn on sound alert"],
    sound_on: ["提示音已开启", "Sound alert is on"],
    sound_hint: ["叫到您时手机会振动并发出提示音（视手机设置而定）。", "When you are called your phone vibrates and beeps (if it allows)."],
    title_called: [(n, w) => "【请到 " + w + " 号窗口】" + n, (n, w) => "[Window " + w + "] " + n],
    title: [(n) => n + " · 排队号", (n) => n + " · Ticket"],
    not_rated: ["", ""],
    case_label: ["办件编号：", "Case: "],
    case_open_due: [(d) => L.caseStates.open[0] + "，承诺 " + d + " 前办结", (d) => L.caseStates.open[1] + ": to be completed by " + d],
    case_open: L.caseStates.open,
    case_completed: [(d) => L.caseStates.completed[0] + "（" + d + "）", (d) => L.caseStates.completed[1] + " (" + d + ")"],
    case_returned: [(d) => L.caseStates.returned[0] + "（" + d + "）", (d) => L.caseStates.returned[1] + " (" + d + ")"],
    case_reason: [(r) => "退件原因：" + r, (r) => "Reason: " + r],
    steps_title: ["本次办理环节", "Steps of this visit"],
    steps_hint: ["同一个号码，办完一项自动转到下一窗口排队，无需重新取号。", "One ticket: after each step you join the next window's line by yourself; no new ticket."],
    step_where_done: [(w) => w + " 号窗口", (w) => "Window " + w],
    step_where_at: [(w) => "请到 " + w + " 号窗口", (w) => "Go to window " + w],
    step_where_wait: [(ws) => ws ? "等候叫号：" + ws + " 号窗口" : "等候叫号", (ws) => ws ? "Waiting to be called: window " + ws : "Waiting to be called"],
    step_where_next: [(ws) => ws ? ws + " 号窗口" : "", (ws) => ws ? "Window " + ws : ""],
    step_parallel: ["（并联，可同时排队）", " (in parallel: in both lines at once)"],
    step_fee_total: [(total) => "统一缴费 ¥" + total, (total) => "Fee payment ¥" + total],
    booked: [(s) => "预约 " + s + "：时段开始后优先叫号", (s) => "Booked " + s + ": called ahead once it starts"],
  };
  // Ticket states (st_<state>) and rating levels (level<n>) in the shared words.
  for (const [state, pair] of Object.entries(L.ticketStates)) T["st_" + state] = pair;
  for (const [level, pair] of Object.entries(L.ratingLevels)) T["level" + level] = pair;
  // A visit's step words (next, paid, unpaid) in the shared words too.
  for (const [key, pair] of Object.entries(L.steps)) T["step_" + key] = pair;

  const S = {
    lang: loadLang(),
    token: tokenFromPath(),
    hall: null,
    ticket: null,
    ahead: null,
    eta: null,
    canRate: false,
    rateWindow: null,
    notice: null,
    welcomed: false,
    fatal: false,
    rated: false,
    caseState: null, // the ticket's case (办件) as the hub shows it: state, kind, due, reason
    complaints: [], // this ticket's complaints (the hub's citizen view: state, text, answer)
  };
  let conn = null;
  let audio = null;
  window.__ticket = { state: S };

  function loadLang() {
    try {
      return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
    } catch (e) {
      return "zh";
    }
  }

  function tokenFromPath() {
    const parts = location.pathname.split("/");
    const i = parts.indexOf("t");
    try {
      return decodeURIComponent(parts[i + 1] || "");
    } catch (e) {
      return "";
    }
  }

  /** A text in the page's language. */
  function tr(key, ...args) {
    const pair = T[key];
    if (!pair) return key;
    const v = pair[S.lang === "en" ? 1 : 0];
    return typeof v === "function" ? v(...args) : v;
  }

  const service = (code) => (S.hall && S.hall.services ? S.hall.services.find((s) => s.code === code) : null);
  const department = (code) => (S.hall && S.hall.departments ? S.hall.departments.find((d) => d.code === code) : null);
  const serviceName = (code) => H.nameOf(service(code), S.lang) || code || "";
  const windowsFor = (code) => (S.hall && S.hall.windows ? S.hall.windows.filter((w) => (w.services || []).includes(code)).map((w) => w.number) : []);

  // ---------- hub ----------
  function onWelcome(w) {
    const st = w.state || {};
    S.welcomed = true;
    S.hall = w.hall || S.hall;
    S.today = st.today || null;
    const prev = S.ticket;
    S.ticket = st.ticket || null;
    S.ahead = typeof st.ahead === "number" ? st.ahead : null;
    S.eta = typeof st.eta_min === "number" ? st.eta_min : null;
    S.canRate = !!st.can_rate;
    S.rateWindow = st.rate_window === undefined ? null : st.rate_window;
    S.notice = st.notice || null;
    S.caseState = st.case || null;
    S.complaints = (st.complaints || []).slice();
    render();
    // A call made while we were offline still alerts, once.
    // A call made while we were offline still alerts; a reload alerts only if this call never did.
    if (S.ticket && S.ticket.state === "called") alertCall(S.ticket, S.ticket.window, !!prev && prev.state !== "called");
  }

  function onEvent(f) {
    if (f.type === "position") {
      const before = S.ahead;
      S.ahead = f.ahead;
      S.eta = f.eta_min;
      render();
      // Turn near: a short buzz and beep once, so a citizen waiting outside comes back in time.
      if (S.ticket && S.ticket.state === "waiting" && before !== null && before > NEAR && f.ahead <= NEAR) {
        buzz([200]);
        beep(1);
        window.__ticket.nearAlerts = (window.__ticket.nearAlerts || 0) + 1;
      }
      return;
    }
    if (f.type === "notice") {
      S.notice = f.text ? { text: f.text, until: f.until } : null;
      render();
      return;
    }
    if (f.type === "case_state") {
      S.caseState = f.case || null; // its case completed or returned, on any day
      render();
      return;
    }
    if (f.type === "catalogue") { // `hall catalogue apply`: names and windows as they are now
      if (f.hall && typeof f.hall === "object") S.hall = f.hall;
      S.today = f.today || null;
      render();
      return;
    }
    if (f.type && f.type.startsWith("complaint") && f.record && typeof f.record === "object") {
      const i = S.complaints.findIndex((c) => c.id === f.record.id);
      if (i >= 0) S.complaints[i] = f.record;
      else S.complaints.push(f.record);
      render();
      return;
    }
    if (f.ticket && typeof f.ticket === "object") S.ticket = f.ticket;
    if (typeof f.can_rate === "boolean") S.canRate = f.can_rate;
    if (f.rate_window !== undefined) S.rateWindow = f.rate_window;
    if (f.case_state !== undefined) S.caseState = f.case_state;
    if (f.type === "ticket_rated") S.rated = true;
    if (f.type === "ticket_finished" || f.type === "ticket_transferred") S.rated = false;
    render();
    if (f.type === "ticket_called" || f.type === "ticket_recalled") alertCall(f.ticket, f.window, true);
    if (f.type === "ticket_transferred") buzz([200, 100, 200]);
  }

  function onStatus() {
    render();
  }

  function onFatal() {
    S.fatal = true;
    render();
  }

  // ---------- alerts: vibration, beep, title ----------
  function alertKey(t) {
    return t.id + "|" + (t.called_at || "") + "|" + (t.recalls || 0);
  }

  function alertCall(t, win, fresh) {
    if (!t) return;
    const key = alertKey(t);
    let seen = "";
    try { seen = sessionStorage.getItem("hall.alerted") || ""; } catch (e) { /* private mode */ }
    if (!fresh && seen === key) return;
    try { sessionStorage.setItem("hall.alerted", key); } catch (e) { /* ignore */ }
    buzz([400, 150, 400, 150, 600]);
    beep(3);
    const panel = $("call-panel");
    panel.classList.remove("pulse");
    void panel.offsetWidth;
    panel.classList.add("pulse");
    try { panel.focus({ preventScroll: false }); } catch (e) { /* ignore */ }
    panel.scrollIntoView({ block: "start", behavior: "smooth" });
    window.__ticket.lastAlert = { key, window: win, at: Date.now() };
  }

  function buzz(pattern) {
    try {
      if (navigator.vibrate) navigator.vibrate(pattern);
    } catch (e) { /* not allowed */ }
  }

  function unlockAudio() {
    try {
      if (!audio && window.AudioContext) audio = new window.AudioContext();
      if (audio && audio.state === "suspended") audio.resume();
    } catch (e) { /* no audio */ }
    return audio;
  }

  /** Short tones from WebAudio (three by default): no sound file is fetched. */
  function beep(count) {
    const n = count || 3;
    const ctx = unlockAudio();
    if (!ctx) return;
    try {
      const t0 = ctx.currentTime + 0.05;
      for (let i = 0; i < n; i++) {
        const o = ctx.createOscillator();
        const g = ctx.createGain();
        o.type = "square";
        o.frequency.value = i === 2 ? 1175 : 988;
        const s = t0 + i * 0.3;
        g.gain.setValueAtTime(0.0001, s);
        g.gain.exponentialRampToValueAtTime(0.5, s + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, s + 0.22);
        o.connect(g).connect(ctx.destination);
        o.start(s);
        o.stop(s + 0.25);
      }
    } catch (e) { /* ignore */ }
  }

  // ---------- rendering ----------
  function renderStatic() {
    document.documentElement.lang = S.lang === "en" ? "en" : "zh-CN";
    for (const node of document.querySelectorAll("[data-i18n]")) H.setText(node, tr(node.dataset.i18n));
    const t = $("lang-toggle");
    H.setText(t, S.lang === "en" ? "中文" : "English");
    t.setAttribute("lang", S.lang === "en" ? "zh-CN" : "en");
    t.setAttribute("aria-label", S.lang === "en" ? "切换为中文 / Switch to Chinese" : "English / 切换为英文");
    renderMessages();
  }

  function render() {
    renderStatic();
    const online = conn && conn.online && S.welcomed;
    const stale = $("stale");
    H.show(stale, !online && !S.fatal);
    H.setText(stale.firstElementChild, S.welcomed ? tr("offline") : tr("connecting"));
    document.body.classList.toggle("is-stale", !online);

    H.setText($("hall-name"), S.hall ? H.nameOf(S.hall, S.lang) : "");
    const hours = H.hoursText(S.today);
    H.setText($("today-hours"), S.lang === "en" ? hours[1] : hours[0]);

    const n = S.notice;
    let noticeOn = !!(n && n.text);
    if (noticeOn && n.until) {
      const u = H.parseIso(n.until);
      if (u && u.getTime() <= Date.now()) noticeOn = false;
    }
    H.setText($("notice-text"), noticeOn ? n.text : "");
    H.show($("notice"), noticeOn);

    H.show($("fatal"), S.fatal);
    const t = S.ticket;
    const ids = ["ticket-card", "waiting-panel", "call-panel", "handoff-panel", "status-panel", "case-panel", "rate-section", "guide", "cancel-section", "complain-section", "rate-done"];
    if (S.fatal || !t) {
      for (const id of ids) H.show($(id), false);
      if (S.fatal) document.title = tr("fatal_title");
      return;
    }
    const state = t.state;
    document.body.dataset.state = state;

    // ticket card
    H.show($("ticket-card"), true);
    H.setText($("number"), t.number);
    H.setText($("service-name"), serviceName(t.service));
    H.setText($("department-name"), H.nameOf(department(t.department), S.lang));
    // 预约: a booked ticket says when it goes ahead (its slot's start)
    const bk = t.booking;
    H.show($("booking-note"), !!bk);
    if (bk) H.setText($("booking-note"), tr("booked", String(bk.start).slice(11, 16) + "–" + String(bk.end).slice(11, 16)));
    H.setText($("state-text"), tr("st_" + state));
    $("state-text").dataset.state = state;

    renderSteps(t);

    // waiting: ahead and estimate
    let handoff = state === "waiting" && t.handoffs && t.handoffs.length ? t.handoffs[t.handoffs.length - 1] : null;
    // a visit that moved on to its next step is no longer waiting because of its handoff
    if (handoff && Array.isArray(t.steps) && handoff.at !== t.queued_at) handoff = null;
    const waiting = state === "waiting";
    H.show($("waiting-panel"), waiting);
    if (waiting) {
      const ahead = S.ahead === null ? 0 : S.ahead;
      H.setText($("ahead"), String(ahead));
      $("ahead").dataset.value = String(ahead);
      // eta_min null: no open window serves the ticket now, so no minutes at all
      H.setText($("eta"), S.eta === null ? tr("no_window") : S.eta ? tr("eta", S.eta) : tr("eta_now"));
      const near = ahead <= NEAR;
      H.show($("near"), near);
      H.setText($("near"), ahead === 0 ? tr("next") : tr("near"));
      $("waiting-panel").classList.toggle("is-near", near);
    }

    // called
    const called = state === "called";
    H.show($("call-panel"), called);
    if (called) {
      H.setText($("call-window"), String(t.window));
      $("call-window").dataset.window = String(t.window);
      H.setText($("call-text"), tr("call_text", t.number, t.window));
      H.show($("call-window-unit"), S.lang !== "en");
      const k = (t.recalls || 0) + 1;
      H.show($("call-recall"), k > 1);
      H.setText($("call-recall"), k > 1 ? tr("call_recall", k) : "");
    }

    // handoff: same number, next window
    H.show($("handoff-panel"), !!handoff);
    if (handoff) {
      const s = serviceName(handoff.to_service || t.service);
      const text = handoff.to_window
        ? tr("handoff_window", t.number, handoff.to_window, s)
        : tr("handoff_service", t.number, windowsFor(handoff.to_service || t.service).join("、"), s);
      H.setText($("handoff-text"), text);
    }

    // serving, parked, final states
    let status = "";
    if (state === "serving") status = tr("serving", t.window);
    else if (state === "parked") status = tr("parked", t.window);
    else if (["done", "pending", "cancelled", "expired", "no_show"].includes(state)) status = tr("final_" + state);
    H.show($("status-panel"), !!status);
    H.setText($("status-text"), status);
    $("status-panel").dataset.state = state;

    // the case (办件) once service started: 办理中 with its due day, 已办结, 已退件 with the reason
    const c = S.caseState;
    const showCase = !!c && !["waiting", "called"].includes(state);
    H.show($("case-panel"), showCase);
    if (showCase) {
      const closedOn = (c.completed_at || "").slice(0, 10);
      let text = c.state === "completed" ? tr("case_completed", closedOn)
        : c.state === "returned" ? tr("case_returned", closedOn)
        : c.due ? tr("case_open_due", c.due) : tr("case_open");
      H.setText($("case-id"), c.id);
      H.setText($("case-text"), text);
      $("case-panel").dataset.state = c.state;
      H.show($("case-reason"), c.state === "returned" && !!c.reason);
      H.setText($("case-reason"), c.state === "returned" && c.reason ? tr("case_reason", c.reason) : "");
    }

    // rating
    const canRate = S.canRate && S.rateWindow !== null;
    H.show($("rate-section"), canRate);
    if (canRate) H.setText($("rate-window"), tr("rate_window", S.rateWindow));
    H.show($("rate-done"), !canRate && S.rated);
    H.setText($("rate-done"), S.rated ? tr("rate_thanks") : "");
    updateReasonRequired();

    // guide while the visit is ahead
    const svc = service(t.service);
    const showGuide = !!svc && ["waiting", "called", "parked"].includes(state);
    H.show($("guide"), showGuide);
    if (showGuide) renderGuide(svc);

    H.show($("cancel-section"), waiting);
    H.show($("complain-section"), true);
    renderComplaints();

    document.title = called ? tr("title_called", t.number, t.window) : tr("title", t.number);
  }

  function renderComplaints() {
    const box = $("complaints");
    H.show(box, S.complaints.length > 0);
    H.setText($("complaints-title"), tr("complaints_title"));
    const items = S.complaints.map((c) => {
      const li = H.el("li", { class: "complaint", dataset: { complaint: c.id, state: c.state } });
      li.append(H.el("p", { class: "c-text", text: c.text || "" }));
      li.append(H.el("p", { class: "c-state", text: tr("complaint_state", c.state) + (c.answer || c.state === "rejected" ? "" : " · " + tr("complaint_due", c.due)) }));
      if (c.answer) li.append(H.el("p", { class: "c-answer", text: tr("complaint_answer") + c.answer }));
      if (c.reason) li.append(H.el("p", { class: "c-reason", text: tr("complaint_reason") + c.reason }));
      return li;
    });
    $("complaints-list").replaceChildren(...items);
  }

  /** A visit's steps (done, now, next) and where each is (or was) served. */
  function renderSteps(t) {
    const steps = Array.isArray(t.steps) ? t.steps : [];
    H.show($("steps-panel"), steps.length > 0);
    if (!steps.length) return;
    const sep = S.lang === "en" ? ", " : "、";
    const groups = steps.map((s) => s.group);
    $("steps").replaceChildren(...steps.map((s) => {
      const st = s.state;
      const phase = st === "done" || st === "pending" ? "done" : st === "next" ? "next" : ["cancelled", "expired"].includes(st) ? "ended" : "now";
      let name = serviceName(s.service);
      if (s.fee) name += " · " + tr("step_fee_total", s.total || 0);
      if (groups.filter((g) => g === s.group).length > 1) name += tr("step_parallel");
      let label = phase === "next" ? tr("step_next") : tr("st_" + st);
      if (s.fee && s.paid !== null && s.paid !== undefined) label += " · " + tr(s.paid ? "step_paid" : "step_unpaid");
      let where = "";
      if (phase === "done") where = s.window ? tr("step_where_done", s.window) : "";
      else if (phase === "now" && s.window && st !== "waiting") where = tr("step_where_at", s.window);
      else if (phase === "now") where = tr("step_where_wait", windowsFor(s.service).join(sep));
      else if (phase === "next") where = tr("step_where_next", windowsFor(s.service).join(sep));
      const mark = phase === "done" ? "✓" : phase === "now" ? "▶" : "·";
      return H.el("li", { dataset: { step: String(s.n), phase: phase, state: st, window: s.window === null || s.window === undefined ? "" : String(s.window) } },
        H.el("span", { class: "step-mark", text: mark }),
        H.el("span", { class: "step-name", text: s.n + ". " + name + " — " + label }),
        H.el("span", { class: "step-where", text: where }));
    }));
  }

  function renderGuide(svc) {
    const g = svc.guide || {};
    const list = S.lang === "en" && g.materials_en && g.materials_en.length ? g.materials_en : g.materials || [];
    $("guide-materials").replaceChildren(...list.map((m) => H.el("li", { text: m })));
    H.show($("guide-none"), !list.length);
    const fee = S.lang === "en" ? g.fee_en || g.fee : g.fee;
    const time = S.lang === "en" ? g.time_limit_en || g.time_limit : g.time_limit;
    H.setText($("guide-fee"), fee || "—");
    H.setText($("guide-time"), time || "—");
  }

  function selectedLevel() {
    const r = document.querySelector('input[name="level"]:checked');
    return r ? Number(r.value) : null;
  }

  function updateReasonRequired() {
    const lv = selectedLevel();
    const need = lv !== null && lv <= 2;
    const reason = $("rate-reason");
    reason.setAttribute("aria-required", need ? "true" : "false");
    $("rate-reason-label").classList.toggle("required", need);
  }

  // Messages are kept as (text key, error) so that a language switch re-renders them.
  const messages = new Map();

  function msgText(m) {
    if (!m.key && !m.err) return "";
    // Our own texts follow the language toggle; a refusal is the hub's own message.
    return m.key ? tr(m.key) : H.errorText(m.err, S.lang);
  }

  /** Show a message: key is a text key (or null for the error explained alone). */
  function showMsg(node, key, kind, code, err) {
    const m = { key: key, err: err || null };
    messages.set(node, m);
    H.setText(node, msgText(m));
    node.className = "msg " + (kind || "");
    if (code) node.dataset.code = code;
    else delete node.dataset.code;
    if (err && err.message) node.dataset.hubMessage = err.message;
    else delete node.dataset.hubMessage;
  }

  function renderMessages() {
    for (const [node, m] of messages) H.setText(node, msgText(m));
  }

  // ---------- actions ----------
  async function submitRating(ev) {
    ev.preventDefault();
    const msg = $("rate-msg");
    const level = selectedLevel();
    if (level === null) {
      showMsg(msg, "rate_pick", "bad", "pick");
      return;
    }
    const reason = $("rate-reason").value.trim();
    const args = { level };
    if (reason) args.reason = reason;
    $("rate-submit").disabled = true;
    showMsg(msg, null, "");
    try {
      await conn.request("rate", args);
      S.rated = true;
      S.canRate = false;
      showMsg(msg, null, "");
      $("rate-form").reset();
      $("rate-reason").removeAttribute("aria-invalid");
      render();
      $("rate-done").focus && $("rate-done").focus();
    } catch (e) {
      showMsg(msg, null, "bad", e.code, e);
      if (e.code === "bad_args" && level <= 2 && !reason) {
        // The hub refuses a 1-2 rating without a reason: show where to fix it.
        $("rate-reason").setAttribute("aria-invalid", "true");
        $("rate-reason").focus();
      } else if (e.code === "invalid_state") {
        S.canRate = false; // already rated
      }
    } finally {
      $("rate-submit").disabled = false;
    }
  }

  async function submitComplaint(ev) {
    ev.preventDefault();
    const msg = $("complain-msg");
    const text = $("complain-text").value.trim();
    if (!text) {
      showMsg(msg, "complain_empty", "bad", "empty");
      $("complain-text").focus();
      return;
    }
    $("complain-submit").disabled = true;
    try {
      await conn.request("complain", { text });
      showMsg(msg, "complain_ok", "ok", "ok");
      $("complain-text").value = "";
    } catch (e) {
      showMsg(msg, null, "bad", e.code, e);
    } finally {
      $("complain-submit").disabled = false;
    }
  }

  function askCancel() {
    const d = $("cancel-dialog");
    d.returnValue = "";
    d.addEventListener("close", async () => {
      if (d.returnValue !== "yes") return;
      try {
        const r = await conn.request("cancel", {});
        if (r.ticket) S.ticket = r.ticket;
        showMsg($("cancel-msg"), null, "");
        render();
      } catch (e) {
        showMsg($("cancel-msg"), null, "bad", e.code, e);
      }
    }, { once: true });
    d.showModal();
    $("cancel-no").focus();
  }

  function toggleLang() {
    S.lang = S.lang === "en" ? "zh" : "en";
    try { localStorage.setItem(LANG_KEY, S.lang); } catch (e) { /* private mode */ }
    render();
  }

  function main() {
    renderStatic();
    $("lang-toggle").addEventListener("click", toggleLang);
    $("rate-form").addEventListener("submit", submitRating);
    $("rate-form").addEventListener("change", updateReasonRequired);
    $("complain-form").addEventListener("submit", submitComplaint);
    $("cancel-btn").addEventListener("click", askCancel);
    $("sound-btn").addEventListener("click", () => {
      unlockAudio();
      beep(3);
      buzz(100);
      H.setText($("sound-btn"), tr("sound_on"));
      $("sound-btn").dataset.i18n = "sound_on";
    });
    // Browsers allow sound only after a gesture: any tap unlocks it.
    document.addEventListener("pointerdown", unlockAudio, { once: true });
    render();
    if (!S.token) {
      S.fatal = true;
      render();
      return;
    }
    conn = new H.HallConnection({
      hello: () => ({ role: "citizen", ticket: S.token, lang: S.lang }),
      onWelcome,
      onEvent,
      onStatus,
      onFatal,
      quietMs: 45000,
      refreshOnSeq: false,
    });
    window.__ticket.conn = conn;
    conn.start();
    setInterval(() => { if (S.notice) render(); }, 15000);
  }

  main();
})();
