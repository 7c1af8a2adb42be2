/* board.js: the lobby web board (/board) and the supervisor view (/board?supervisor).
 *
 * State comes from the hub only: a welcome replaces everything (fresh
 * snapshot on every connect), events update it, and render functions write
 * the DOM with textContent. The public board is a `display` client and so
 * only ever receives public fields; the supervisor view adds the metrics
 * table, alerts and actions.
 */
"use strict";

(function () {
  const H = window.Hall;
  const L = window.HallLabels; // the hall's words and the alert rules (labels.js, from shared/labels.py)
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const SUPERVISOR = params.has("supervisor");
  const VOICE = !SUPERVISOR && params.get("voice") !== "off";
  const ENGLISH_VOICE = params.get("en") !== "off";
  const RECENT_SHOWN = 8;
  const FINAL = new Set(["done", "pending", "cancelled", "expired", "no_show"]);

  const WINDOW_STATE = L.windowStates;
  const TICKET_STATE = L.ticketStates;

  // Metrics columns: [field path, 中文, English, unit], the labels and units from labels.js.
  const metricColumns = (fields) => fields.map((f) => [f, ...L.metrics[f]]);
  const WINDOW_FIELDS = metricColumns([
    "received", "completed", "completion_rate", "pending", "transferred_in", "transferred_out", "no_show",
    "first_responsibility_closure_rate", "avg_wait_s", "avg_service_s", "on_duty_s", "paused_s",
    "ratings.count", "ratings.avg",
  ]);
  const HALL_FIELDS = metricColumns([
    "issued", "waiting", "received", "completed", "pending", "no_show", "cancelled", "completion_rate",
    "first_responsibility_closure_rate", "avg_wait_s", "max_wait_s", "avg_service_s", "ratings.count", "ratings.avg",
    "visits", "one_trip", "windows_per_visit",
  ]);
  const LEVELS = L.ratingLevels;

  const S = {
    hall: null,
    tz: "Asia/Shanghai",
    day: "",
    windows: new Map(), // number -> Window
    tickets: new Map(), // id -> Ticket
    waiting: {},
    notice: null,
    bookings: new Map(), // 预约 of today (supervisors): id -> Booking
    recent: [], // newest first: {ticket, number, window, at, reason, recall}
    latest: null,
    metrics: null,
    metricsAt: null,
    complaints: [],
    open: new Map(), // complaint id -> Complaint (open ones, hub/complaints.py), with urgency
    ratings: [],
    faults: [],
    cases: new Map(), // id -> open Case (办件), supervisors only
    staff: "",
    welcomed: false,
  };
  let conn = null;
  let creds = null; // supervisor staff id + PIN, in memory only
  let offlineSince = null;

  // ---------- voice ----------
  const announcer = new window.HallVoice.Announcer({
    enabled: VOICE,
    english: ENGLISH_VOICE,
    isCurrent: (call) => {
      const t = S.tickets.get(call.ticket);
      return !t || (t.state === "called" && (t.window === null || t.window === undefined || t.window === call.window));
    },
    onNeedsActivation: () => H.show($("voice-btn"), true),
    onSpoke: () => H.show($("voice-btn"), false),
  });
  window.__hall = { state: S, voice: announcer };

  // ---------- helpers ----------
  const service = (code) => (S.hall && S.hall.services ? S.hall.services.find((s) => s.code === code) : null);
  const department = (code) => (S.hall && S.hall.departments ? S.hall.departments.find((d) => d.code === code) : null);
  const windowConf = (n) => (S.hall && S.hall.windows ? S.hall.windows.find((w) => w.number === n) : null);
  const numberOf = (id) => {
    const t = S.tickets.get(id);
    return t ? t.number : H.numberOfId(id);
  };
  const windowName = (n) => {
    const w = S.windows.get(n) || windowConf(n);
    return w && w.name ? w.name : n + "号窗口";
  };
  const windowNameEn = (n) => {
    const w = S.windows.get(n) || windowConf(n);
    return w && w.name_en ? w.name_en : "Window " + n;
  };

  function valueText(v, unit) {
    if (v === null || v === undefined) return "—";
    if (unit === "rate") return H.rateText(v);
    if (unit === "s") return H.durText(v);
    if (unit === "level" || unit === "mean") return Number(v).toFixed(2);
    return String(v);
  }

  function bothText(pair) {
    return pair ? pair[0] + " " + pair[1] : "";
  }

  // ---------- snapshot and events ----------
  function onWelcome(w) {
    const st = w.state || {};
    S.welcomed = true;
    S.hall = w.hall || S.hall;
    S.tz = (S.hall && S.hall.timezone) || S.tz;
    S.day = w.day || "";
    S.today = st.today || null;
    S.closing = st.closing || null;
    S.windows = new Map();
    for (const win of st.windows || []) S.windows.set(win.number, win);
    S.tickets = new Map();
    for (const t of st.tickets || []) S.tickets.set(t.id, t);
    S.waiting = Object.assign({}, st.waiting || {});
    S.notice = st.notice || null;
    S.recent = (st.recent_calls || []).map((c) => ({
      ticket: c.ticket, number: c.number || numberOf(c.ticket), window: c.window, at: c.at, reason: c.reason, recall: false,
    }));
    S.latest = S.recent[0] || null;
    if (SUPERVISOR) {
      if (st.metrics) setMetrics(st.metrics);
      S.complaints = (st.complaints || []).slice();
      S.open = new Map((st.open_complaints || []).map((c) => [c.id, c]));
      S.ratings = (st.ratings || []).slice();
      S.faults = (st.printer_faults || []).slice();
      S.cases = new Map();
      for (const c of st.cases || []) if (c.state === "open") S.cases.set(c.id, c);
      S.bookings = new Map();
      for (const b of st.bookings || []) S.bookings.set(b.id, b);
    }
    H.show($("login-view"), false);
    H.show($("board-view"), true);
    H.show($("supervisor"), SUPERVISOR);
    buildStatic();
    renderAll();
  }

  function setTicket(t) {
    if (t && t.id) S.tickets.set(t.id, t);
  }

  function setWindowCurrent(n, id) {
    const w = S.windows.get(n);
    if (w) S.windows.set(n, Object.assign({}, w, { current: id }));
  }

  function onEvent(f) {
    if (f.type === "metrics") {
      if (SUPERVISOR && f.metrics) {
        setMetrics(f.metrics);
        S.closing = f.closing || null;
        renderMetrics();
        renderClosing();
      }
      return;
    }
    if (f.ticket && typeof f.ticket === "object") setTicket(f.ticket);
    if (f.waiting) Object.assign(S.waiting, f.waiting);
    const t = f.ticket && typeof f.ticket === "object" ? f.ticket : null;
    switch (f.type) {
      case "ticket_called":
      case "ticket_recalled": {
        const call = { ticket: t.id, number: t.number, window: f.window, at: f.at, reason: f.reason, recall: f.type === "ticket_recalled" };
        S.recent = S.recent.filter((c) => !(c.ticket === call.ticket && c.window === call.window));
        S.recent.unshift(call);
        if (S.recent.length > 20) S.recent.length = 20;
        S.latest = call;
        setWindowCurrent(f.window, t.id);
        if (!SUPERVISOR) announcer.enqueue({ ticket: t.id, number: t.number, window: f.window, recall: call.recall });
        renderLatest(true);
        renderRecent();
        break;
      }
      case "ticket_started":
      case "ticket_unparked":
        setWindowCurrent(f.window, t.id);
        break;
      case "ticket_finished":
      case "ticket_transferred":
      case "ticket_parked":
      case "ticket_no_show": {
        const w = S.windows.get(f.window);
        if (w && w.current === t.id) setWindowCurrent(f.window, null);
        break;
      }
      case "window_unattended": // supervisors only: the hub's mark, not an event of the log
      case "window_attended":
        if (f.window && typeof f.window === "object") {
          S.windows.set(f.window.number, Object.assign({}, S.windows.get(f.window.number) || {}, f.window));
        }
        break;
      case "window_opened":
      case "window_paused":
      case "window_resumed":
      case "window_closed":
      case "window_changed":
        if (f.window && typeof f.window === "object") {
          // the hub's unattended mark outlives a window event, until the window closes
          const away = (S.windows.get(f.window.number) || {}).unattended_since;
          S.windows.set(f.window.number, Object.assign({}, f.window, away && f.window.state !== "closed" ? { unattended_since: away } : {}));
          const form = $("services-form");
          if (SUPERVISOR && String(f.window.number) === $("services-window").value && !form.contains(document.activeElement)) fillServices();
        }
        break;
      case "notice":
        S.notice = { text: f.text, until: f.until };
        renderNotice();
        break;
      case "ticket_rated":
        if (SUPERVISOR) S.ratings.push({ ticket: t ? t.id : null, number: t ? t.number : "", window: f.window, level: f.level, reason: f.reason, at: f.at });
        break;
      case "complaint":
        if (SUPERVISOR) S.complaints.push({ id: f.id, ticket: f.ticket, number: f.number, text: f.text, at: f.at });
        if (SUPERVISOR && f.record) putComplaint(f.record);
        break;
      case "complaint_accepted":
      case "complaint_noted":
      case "complaint_answered":
      case "complaint_closed":
      case "complaint_rejected":
        if (SUPERVISOR && f.record) putComplaint(f.record);
        break;
      case "printer_fault":
        if (SUPERVISOR) S.faults.push({ kiosk: f.kiosk, kind: f.kind, message: f.message, at: f.at });
        break;
      case "day_rolled":
        S.day = f.day || S.day;
        break;
      case "case_opened":
      case "case_changed":
      case "case_completed":
      case "case_returned":
        if (SUPERVISOR && f.case && typeof f.case === "object") {
          if (f.case.state === "open") S.cases.set(f.case.id, f.case);
          else S.cases.delete(f.case.id);
        }
        break;
      case "locked_staff": // supervisors only, no seq: who is locked out after wrong PINs
        S.locked = Array.isArray(f.staff) ? f.staff : [];
        renderLocked();
        return;
      case "catalogue": // `hall catalogue apply`: the new catalogue and every window after it
        if (f.hall && typeof f.hall === "object") {
          S.hall = f.hall;
          S.today = f.today || null;
          const live = S.windows;
          S.windows = new Map();
          for (const win of f.windows || []) S.windows.set(win.number, Object.assign({}, live.get(win.number) || {}, win));
          metricsBuiltFor = null;
          renderAll();
          if (SUPERVISOR) renderServicesForm(true);
        }
        break;
      case "booking_made":
      case "booking_cancelled":
      case "booking_moved":
      case "booking_checked_in":
      case "booking_no_show":
      case "booking_missed": // 预约: today's, per slot (supervisors only)
        if (SUPERVISOR && f.booking) {
          if (f.booking.day === S.day) S.bookings.set(f.booking.id, f.booking);
          else S.bookings.delete(f.booking.id);
          renderBookings();
        }
        break;
      default:
        break;
    }
    if (SUPERVISOR && f.type.startsWith("window_")) metricsDirty = true; // the state column and close buttons
    scheduleRender();
    pruneTickets();
  }

  // The latest call is drawn at once; the rest (window tiles, waiting counts, alerts) at most
  // every 50 ms, so a burst of events costs one redraw.
  let renderTimer = null;
  let metricsDirty = false;
  function scheduleRender() {
    if (renderTimer !== null) return;
    renderTimer = setTimeout(() => {
      renderTimer = null;
      renderWindows();
      renderWaiting();
      if (SUPERVISOR) {
        renderAlerts();
        renderComplaints();
        if (metricsDirty) {
          metricsDirty = false;
          renderMetrics();
        }
      }
    }, 50);
  }

  // A public board keeps the open tickets and the recently called ones; older final tickets go.
  function pruneTickets() {
    if (SUPERVISOR || S.tickets.size < 600) return;
    const keep = new Set(S.recent.map((c) => c.ticket));
    for (const [id, t] of S.tickets) if (FINAL.has(t.state) && !keep.has(id)) S.tickets.delete(id);
  }

  function onStatus(online) {
    if (online) {
      offlineSince = null;
    } else if (offlineSince === null) {
      offlineSince = new Date();
    }
    renderStale();
  }

  function onFatal(err) {
    if (SUPERVISOR) {
      creds = null;
      H.show($("board-view"), false);
      H.show($("login-view"), true);
      H.setText($("login-error"), H.errorBoth(err));
      $("login-pin").value = "";
      $("login-pin").focus();
    } else {
      H.show($("stale"), true);
    }
  }

  // ---------- rendering ----------
  function renderAll() {
    renderHeader();
    renderNotice();
    renderLatest(false);
    renderRecent();
    renderWindows();
    renderWaiting();
    renderStale();
    if (SUPERVISOR) {
      renderMetrics();
      renderBookings();
      renderAlerts();
      renderComplaints();
      renderServicesForm(false);
      renderLocked();
    }
  }

  function renderHeader() {
    H.setText($("hall-name"), S.hall ? S.hall.name : "");
    H.setText($("hall-name-en"), S.hall ? S.hall.name_en : "");
    document.title = (S.hall ? S.hall.name + " · " : "") + (SUPERVISOR ? "主管看板 / Supervisor board" : "叫号屏 / Lobby board");
    const hours = H.hoursText(S.today);
    H.setText($("today-hours"), hours[0] ? hours[0] + " / " + hours[1] : "");
    if (SUPERVISOR) {
      renderClosing();
      H.setText($("sup-who"), "主管 Supervisor: " + S.staff);
      const v = S.hall ? S.hall.version : null;
      H.setText($("catalogue-version"), typeof v === "number" ? "目录版本 " + v + " / catalogue v" + v : "");
    }
  }

  function renderStale() {
    const stale = !conn || !conn.online || !S.welcomed;
    H.show($("stale"), stale);
    document.body.classList.toggle("is-stale", stale);
    H.setText($("stale-since"), stale && offlineSince ? "(" + H.clockText(offlineSince, S.tz, true) + ")" : "");
  }

  function renderClock() {
    const now = new Date();
    H.setText($("clock"), H.clockText(now, S.tz, true));
    H.setText($("date"), H.dateText(now, S.tz, "zh"));
  }

  function renderNotice() {
    const n = S.notice;
    let on = !!(n && n.text);
    if (on && n.until) {
      const until = H.parseIso(n.until);
      if (until && until.getTime() <= Date.now()) on = false;
    }
    H.setText($("notice-text"), on ? n.text : "");
    H.show($("notice"), on);
  }

  function renderLatest(fresh) {
    const c = S.latest;
    const box = $("latest");
    box.dataset.empty = c ? "0" : "1";
    H.show($("latest-idle"), !c);
    H.setText($("latest-number"), c ? c.number : "");
    H.setText($("latest-window"), c ? String(c.window) : "");
    H.setText($("latest-zh"), c ? "请 " + c.number + " 号到 " + c.window + " 号窗口办理" : "");
    H.setText($("latest-en"), c ? "Ticket " + c.number + ", please go to window " + c.window : "");
    if (c) {
      box.dataset.ticket = c.ticket;
      box.dataset.window = String(c.window);
    }
    requestFit();
    if (fresh && box.animate) {
      // Web Animations: no forced layout on the hot path of a call.
      box.animate([{ backgroundColor: "#151c33" }, { backgroundColor: "#5a2a14" }, { backgroundColor: "#151c33" }], { duration: 1000, iterations: 3 });
    }
  }

  function renderRecent() {
    const ol = $("recent");
    const items = S.recent.slice(0, RECENT_SHOWN).map((c) =>
      H.el("li", { dataset: { ticket: c.ticket, window: c.window } },
        H.el("span", { class: "r-num", text: c.number }),
        H.el("span", { class: "r-win", text: "→ " + c.window + "号窗口" }),
        H.el("span", { class: "r-en", lang: "en", text: "Window " + c.window }),
        H.el("span", { class: "r-time", text: H.clockText(H.parseIso(c.at), S.tz) })));
    ol.replaceChildren(...items);
    requestFit();
  }

  function windowNumbers() {
    const nums = new Set();
    if (S.hall && S.hall.windows) for (const w of S.hall.windows) nums.add(w.number);
    for (const n of S.windows.keys()) nums.add(n);
    return Array.from(nums).sort((a, b) => a - b);
  }

  function currentTicket(n) {
    const w = S.windows.get(n);
    if (w && w.current) {
      const t = S.tickets.get(w.current);
      if (!t) return { id: w.current, number: H.numberOfId(w.current), state: "serving" };
      if (t.state === "called" || t.state === "serving") return t;
    }
    for (const t of S.tickets.values()) {
      if (t.window === n && (t.state === "called" || t.state === "serving")) return t;
    }
    return null;
  }

  function renderWindows() {
    const box = $("windows");
    const tiles = windowNumbers().map((n) => {
      const w = S.windows.get(n) || { number: n, state: "closed" };
      const state = w.state || "closed";
      const cur = state === "closed" ? null : currentTicket(n);
      const away = SUPERVISOR && state !== "closed" && !!w.unattended_since; // 无人值守
      const tile = H.el("div", { class: "win", dataset: { window: n, state: state, ticket: cur ? cur.id : "", unattended: away ? "yes" : "" } },
        H.el("div", { class: "win-name", text: windowName(n) }),
        H.el("div", { class: "win-current" + (cur && cur.state === "called" ? " called" : ""), dataset: { field: "current" }, text: cur ? cur.number : "—" }),
        H.el("div", { class: "win-state", text: away ? bothText(L.windowMarks.unattended) : cur ? bothText(TICKET_STATE[cur.state]) : bothText(WINDOW_STATE[state] || [state, state]) }));
      if (SUPERVISOR) {
        tile.append(H.el("div", { class: "win-staff", text: (w.staff ? "工号 Staff " + w.staff : "") + (state === "paused" && w.pause_reason ? " · " + w.pause_reason : "") }));
      }
      return tile;
    });
    box.replaceChildren(...tiles);
  }

  function renderWaiting() {
    const ul = $("waiting");
    let total = 0;
    const byDept = new Map();
    for (const [code, n] of Object.entries(S.waiting)) {
      const s = service(code);
      const d = s ? s.department : code.split("-")[0];
      byDept.set(d, (byDept.get(d) || 0) + (Number(n) || 0));
      total += Number(n) || 0;
    }
    const depts = S.hall && S.hall.departments ? S.hall.departments.map((d) => d.code) : Array.from(byDept.keys());
    for (const d of byDept.keys()) if (!depts.includes(d)) depts.push(d);
    const items = depts.map((code) => {
      const d = department(code);
      const n = byDept.get(code) || 0;
      return H.el("li", { class: n ? "" : "zero", dataset: { department: code, count: n } },
        H.el("span", { class: "w-name", text: d ? d.name : code }),
        H.el("span", { class: "w-en", lang: "en", text: d ? d.name_en : "" }),
        H.el("b", { class: "w-count", text: String(n) }));
    });
    ul.replaceChildren(...items);
    H.setText($("waiting-total"), "共 " + total + " 人 / " + total + " in total");
  }

  // ---------- layout: what does not fit the screen is scaled or left out, never cut ----------
  /** Shrink the now-calling number and window from the CSS size (--big) to what fits their row. */
  function fitLatest() {
    const fit = $("latest-fit");
    const row = fit.parentElement;
    fit.style.fontSize = "";
    if (!row.clientWidth || !row.clientHeight || !fit.offsetWidth) return;
    const size = parseFloat(getComputedStyle(fit).fontSize);
    const scale = Math.min(1, row.clientWidth / fit.offsetWidth, row.clientHeight / fit.offsetHeight);
    if (scale < 1) fit.style.fontSize = Math.floor(size * scale) + "px";
  }

  /** Show the recent calls that fit whole in their box and in the first screen; hide the rest. */
  function fitRecent() {
    const ol = $("recent");
    const rows = Array.from(ol.children);
    for (const li of rows) li.hidden = false;
    const bottom = Math.min(ol.getBoundingClientRect().bottom, window.innerHeight - window.scrollY);
    let full = false;
    for (const li of rows) {
      full = full || li.getBoundingClientRect().bottom > bottom + 0.5;
      li.hidden = full;
    }
  }

  /** A notice longer than its box (three lines) scrolls up through it and starts again. */
  function fitNotice() {
    const text = $("notice-text");
    const box = text.parentElement;
    const shift = text.offsetHeight - box.clientHeight;
    box.classList.toggle("scrolling", shift > 1);
    box.style.setProperty("--notice-shift", -Math.max(0, shift) + "px");
    box.style.setProperty("--notice-time", Math.max(10, Math.round(shift / 8)) + "s");
  }

  function fitAll() {
    fitNotice();
    fitLatest();
    fitRecent();
  }

  // Content changes fit on the next frame (before it is painted); size changes (screen, offline
  // banner, notice) through the ResizeObserver.
  let fitFrame = null;
  function requestFit() {
    if (fitFrame === null) fitFrame = requestAnimationFrame(() => { fitFrame = null; fitAll(); });
  }

  // ---------- supervisor: today's bookings (预约), per slot and service ----------
  function renderBookings() {
    const rows = new Map(); // start|service -> counts
    for (const b of S.bookings.values()) {
      if (b.state === "cancelled") continue;
      const key = b.start + "|" + b.service;
      const r = rows.get(key) || { start: b.start, end: b.end, service: b.service, booked: 0, checked_in: 0, no_show: 0 };
      r.booked += 1;
      if (b.state === "checked_in") r.checked_in += 1;
      if (b.state === "no_show") r.no_show += 1;
      rows.set(key, r);
    }
    const list = Array.from(rows.values()).sort((a, b) => (a.start + a.service < b.start + b.service ? -1 : 1));
    const svc = (code) => (S.hall ? (S.hall.services || []).find((x) => x.code === code) : null);
    $("bookings-body").replaceChildren(...list.map((r) =>
      H.el("tr", { dataset: { slot: r.start, service: r.service } },
        H.el("th", { scope: "row", text: String(r.start).slice(11, 16) + "–" + String(r.end).slice(11, 16) }),
        H.el("td", {}, (svc(r.service) || {}).name || r.service),
        H.el("td", { dataset: { field: "booked" }, text: r.booked }),
        H.el("td", { dataset: { field: "checked_in" }, text: r.checked_in }),
        H.el("td", { dataset: { field: "no_show" }, text: r.no_show }))));
    H.show($("bookings"), list.length > 0);
    H.show($("bookings-none"), list.length === 0);
    H.setText($("bookings-count"), list.length ? String(list.reduce((a, r) => a + r.booked, 0)) : "");
  }

  // ---------- supervisor: metrics ----------
  function setMetrics(m) {
    S.metrics = m;
    S.metricsAt = new Date();
  }

  let metricsBuiltFor = "";
  function buildStatic() {
    if (!SUPERVISOR) return;
    const hh = $("hall-head");
    if (!hh.childElementCount) {
      hh.replaceChildren(...HALL_FIELDS.map(([f, zh, en]) => H.el("th", { scope: "col", dataset: { field: f } }, zh, H.el("br"), H.el("span", { lang: "en", text: en }))));
      $("hall-row").replaceChildren(...HALL_FIELDS.map(([f]) => H.el("td", { dataset: { window: "hall", field: f, value: "null" }, text: "—" })));
    }
  }

  function buildMetricsRows(nums) {
    const key = nums.join(",");
    if (metricsBuiltFor === key) return;
    metricsBuiltFor = key;
    $("metrics-head").replaceChildren(
      H.el("th", { scope: "col" }, "窗口", H.el("br"), H.el("span", { lang: "en", text: "Window" })),
      H.el("th", { scope: "col" }, "状态", H.el("br"), H.el("span", { lang: "en", text: "State" })),
      ...WINDOW_FIELDS.map(([f, zh, en]) => H.el("th", { scope: "col", dataset: { field: f } }, zh, H.el("br"), H.el("span", { lang: "en", text: en }))),
      H.el("th", { scope: "col" }, "操作", H.el("br"), H.el("span", { lang: "en", text: "Action" })));
    $("metrics-body").replaceChildren(...nums.map((n) =>
      H.el("tr", { dataset: { window: n } },
        H.el("th", { scope: "row", text: windowName(n) }),
        H.el("td", { class: "w-state", dataset: { window: n, field: "state" } }),
        ...WINDOW_FIELDS.map(([f]) => H.el("td", { dataset: { window: n, field: f, value: "null" }, text: "—" })),
        H.el("td", {}, H.el("button", { type: "button", class: "close-btn", dataset: { closeWindow: n }, onclick: () => closeWindow(n) }, "关闭窗口 ", H.el("span", { lang: "en", text: "Close" }))))));
  }

  function setCell(td, v, unit) {
    if (!td) return;
    const json = JSON.stringify(v === undefined ? null : v);
    if (td.dataset.value !== json) td.dataset.value = json;
    H.setText(td, valueText(v, unit));
  }

  function renderMetrics() {
    const m = S.metrics;
    const rows = m && m.windows ? m.windows.map((w) => w.window) : [];
    const nums = Array.from(new Set([...windowNumbers(), ...rows])).sort((a, b) => a - b);
    buildMetricsRows(nums);
    for (const n of nums) {
      const w = S.windows.get(n);
      const st = $("metrics-body").querySelector('td[data-field="state"][data-window="' + n + '"]');
      H.setText(st, w ? bothText(WINDOW_STATE[w.state] || [w.state, w.state]) + (w.staff ? " · " + w.staff : "") : "—");
      const btn = $("metrics-body").querySelector('button[data-close-window="' + n + '"]');
      if (btn) btn.disabled = !w || w.state === "closed";
    }
    if (!m) return;
    H.setText($("metrics-day"), m.day || "");
    for (const [f, , , unit] of HALL_FIELDS) setCell($("hall-row").querySelector('td[data-field="' + f + '"]'), H.getPath(m.hall || {}, f), unit);
    for (const row of m.windows || []) {
      const tr = $("metrics-body").querySelector('tr[data-window="' + row.window + '"]');
      if (!tr) continue;
      for (const [f, , , unit] of WINDOW_FIELDS) setCell(tr.querySelector('td[data-field="' + f + '"]'), H.getPath(row, f), unit);
    }
    H.setText($("metrics-updated"), "更新于 Updated " + H.clockText(S.metricsAt, S.tz, true));
  }

  async function refreshMetrics() {
    if (!conn) return;
    try {
      const r = await conn.request("metrics", {});
      if (r.metrics) {
        setMetrics(r.metrics);
        renderMetrics();
      }
      H.setText($("metrics-error"), "");
    } catch (e) {
      H.setText($("metrics-error"), H.errorBoth(e));
    }
  }

  // ---------- supervisor: alerts ----------
  // The rules are shared/alerts.py's, as data in labels.js (L.alerts): same kinds, limits and comparison
  // as the terminal board (tests/web/test_alert_rules.py runs both on one hall).
  const RULES = L.alerts;

  /** Whether a wait or pause of `seconds` is past a limit of `minutes` (shared/alerts.py `exceeds`). */
  const exceeds = (seconds, minutes) => (RULES.strict ? seconds > minutes * 60 : seconds >= minutes * 60);

  function maxWaitMinutes() {
    const v = S.hall && S.hall.policy ? S.hall.policy[RULES.max_wait_policy] : null;
    return Number.isInteger(v) && v > 0 ? v : RULES.max_wait_default;
  }

  /** Every alert at `now` (ms), in the order of shared/alerts.py: [kind, 中文, English, subject, urgent]. */
  function alertsAt(now) {
    const alerts = [];
    const maxWait = maxWaitMinutes();
    const secondsSince = (iso) => {
      const at = H.parseIso(iso);
      return at ? (now - at.getTime()) / 1000 : null;
    };
    const unattended = [];
    for (const w of S.windows.values()) {
      const s = secondsSince(w[RULES.unattended_field]);
      if (s === null || (w.state !== "open" && w.state !== "paused")) continue;
      const t = w.current ? S.tickets.get(w.current) : null;
      unattended.push([!!t && RULES.busy_states.includes(t.state), w, s, t]);
    }
    unattended.sort((a, b) => (b[0] - a[0]) || (a[1].number - b[1].number));
    for (const [urgent, w, s, t] of unattended) {
      const min = Math.floor(s / 60);
      const mark = L.windowMarks.unattended;
      alerts.push(["unattended",
        windowName(w.number) + " " + mark[0] + "：终端已断开 " + min + " 分钟" + (urgent ? "，" + t.number + " 仍被叫到该窗口" : ""),
        windowNameEn(w.number) + " " + mark[1].toLowerCase() + ": terminal gone " + min + " min" + (urgent ? "; " + t.number + " is still called there" : ""),
        String(w.number), urgent]);
    }
    const overdue = [];
    // in queue order, so equal waits keep it (the sort below is stable)
    const waiting = Array.from(S.tickets.values()).filter((t) => t.state === "waiting").sort(H.compareQueue);
    for (const t of waiting) {
      const s = secondsSince(t.queued_at || t.issued_at);
      if (s !== null && exceeds(s, maxWait)) overdue.push([s, t]);
    }
    overdue.sort((a, b) => b[0] - a[0]);
    for (const [s, t] of overdue) {
      const min = Math.floor(s / 60);
      alerts.push(["overdue", t.number + " 已等候 " + min + " 分钟（上限 " + maxWait + "）", t.number + " waiting " + min + " min (limit " + maxWait + ")", t.id]);
    }
    const windows = Array.from(S.windows.values());
    for (const code of Object.keys(S.waiting).sort()) {
      const n = Number(S.waiting[code]) || 0;
      if (n <= 0 || windows.some((w) => w.state === "open" && (w.services || []).includes(code))) continue;
      const s = service(code);
      alerts.push(["unserved", (s ? s.name : code) + "：" + n + " 人等候，无开放窗口", (s ? s.name_en : code) + ": " + n + " waiting, no open window", code]);
    }
    for (const w of windows.slice().sort((a, b) => a.number - b.number)) {
      if (w.state !== "paused") continue;
      const s = secondsSince(w.paused_at);
      if (s === null || !exceeds(s, RULES.pause_minutes)) continue;
      const min = Math.floor(s / 60);
      const why = w.pause_reason ? "（" + w.pause_reason + "）" : "";
      alerts.push(["paused", windowName(w.number) + " 已暂停 " + min + " 分钟" + why, windowNameEn(w.number) + " paused for " + min + " min", String(w.number)]);
    }
    for (const r of S.ratings.slice().reverse()) {
      if (!(Number.isInteger(r.level) && r.level <= RULES.bad_rating_max)) continue;
      const id = typeof r.ticket === "object" && r.ticket ? r.ticket.id : r.ticket;
      const num = r.number || numberOf(id);
      const lv = LEVELS[r.level] || ["", ""];
      const why = r.reason ? "：" + r.reason : "";
      alerts.push(["rating", num + " 在 " + windowName(r.window) + " 评价 " + r.level + " " + lv[0] + why, num + " rated " + windowNameEn(r.window) + ": " + r.level + " (" + lv[1] + ")" + (r.reason ? ": " + r.reason : ""), String(id)]);
    }
    for (const f of S.faults.slice().reverse()) {
      alerts.push(["printer", "自助机 " + f.kiosk + " 打印故障：" + (f.kind || "") + " " + (f.message || ""), "Kiosk " + f.kiosk + " printer fault", String(f.kiosk)]);
    }
    for (const c of S.open.values()) {
      if (c.urgency !== "overdue" && c.urgency !== "due_soon") continue;
      const over = c.urgency === "overdue";
      alerts.push(["complaint", "投诉 " + c.id + (over ? " 已超期（期限 " : " 即将到期（期限 ") + c.due + "）", "Complaint " + c.id + (over ? " overdue (due " : " due soon (due ") + c.due + ")", "due-" + c.id, over]);
    }
    for (const c of S.complaints.slice().reverse()) {
      const num = c.number || numberOf(c.ticket);
      alerts.push(["complaint", "投诉 " + num + "：" + (c.text || ""), "Complaint from " + num, String(c.id || c.ticket)]);
    }
    // open cases (办件) overdue (超期), then due within 2 working days (shared/alerts.py case_alerts)
    const caseAlerts = [];
    for (const c of Array.from(S.cases.values()).sort((a, b) => (String(a.due) + a.id < String(b.due) + b.id ? -1 : 1))) {
      const kind = caseUrgency(c);
      if (!kind) continue;
      const s = service(c.service);
      const sz = s ? s.name : c.service;
      const se = s ? s.name_en || s.name : c.service;
      caseAlerts.push(kind === "case_overdue"
        ? [kind, "办件超期 · " + c.id + " · " + sz + "：应于 " + c.due + " 办结", "Case overdue · " + c.id + " · " + se + ": due " + c.due, c.id, true]
        : [kind, "办件即将到期 · " + c.id + " · " + sz + "：" + c.due + " 到期", "Case due soon · " + c.id + " · " + se + ": due " + c.due, c.id, false]);
    }
    alerts.push(...caseAlerts.filter((a) => a[0] === "case_overdue"), ...caseAlerts.filter((a) => a[0] !== "case_overdue"));
    return alerts;
  }

  /** case_overdue, case_due_soon or null on the hall's day (shared/alerts.py case_urgency). */
  function caseUrgency(c) {
    if (c.state !== "open" || !c.due || !S.day) return null;
    if (S.day > c.due) return "case_overdue";
    if (c.due_soon_from && S.day >= c.due_soon_from) return "case_due_soon";
    return null;
  }

  /** Open cases per department: open, due soon, overdue (shared/alerts.py cases_by_department). */
  function renderCases() {
    const rows = new Map();
    for (const c of S.cases.values()) {
      const r = rows.get(c.department) || { open: 0, due_soon: 0, overdue: 0 };
      r.open += 1;
      const kind = caseUrgency(c);
      if (kind === "case_overdue") r.overdue += 1;
      else if (kind === "case_due_soon") r.due_soon += 1;
      rows.set(c.department, r);
    }
    const depts = Array.from(rows.keys()).sort();
    $("cases-body").replaceChildren(...depts.map((code) => {
      const r = rows.get(code);
      const d = S.hall && S.hall.departments ? S.hall.departments.find((x) => x.code === code) : null;
      const cls = r.overdue ? "cases-overdue" : r.due_soon ? "cases-soon" : "";
      return H.el("tr", { class: cls, dataset: { department: code } },
        H.el("td", {}, d ? d.name + " " + (d.name_en || "") : code),
        H.el("td", { dataset: { field: "open" } }, String(r.open)),
        H.el("td", { dataset: { field: "due_soon" } }, String(r.due_soon)),
        H.el("td", { dataset: { field: "overdue" } }, String(r.overdue)));
    }));
    H.show($("cases-none"), !depts.length);
  }
  window.__hall.alerts = alertsAt;

  let lastAlerts = "";
  function renderAlerts() {
    renderCases();
    const alerts = alertsAt(Date.now());
    const sig = JSON.stringify(alerts);
    if (sig === lastAlerts) return; // unchanged: leave the live region alone
    lastAlerts = sig;
    const items = alerts.map(([kind, zh, en, key, urgent]) =>
      H.el("li", { class: "alert alert-" + kind + (urgent ? " alert-urgent" : ""), dataset: { kind: kind, key: key, urgent: urgent ? "yes" : "" } },
        H.el("span", { class: "a-zh", text: zh }), H.el("span", { class: "a-en", lang: "en", text: en })));
    $("alerts").replaceChildren(...items);
    H.setText($("alerts-count"), alerts.length ? String(alerts.length) : "");
    H.show($("alerts-none"), !alerts.length);
  }

  // ---------- supervisor: complaints ----------
  const C_STATE = {
    received: ["已收到", "Received"], accepted: ["已受理", "Accepted"], investigating: ["调查中", "Investigating"],
    answered: ["已答复", "Answered"], closed: ["已结案", "Case closed"], rejected: ["不予受理", "Rejected"],
  };
  const C_SOURCE = { page: ["网页", "Page"], desk: ["咨询台", "Desk"], rating: ["差评", "Bad rating"] };
  // what a supervisor may do in each state: [command, needs text, zh, en]
  const C_ACTIONS = {
    received: [["accept_complaint", false, "受理", "Accept"], ["reject_complaint", true, "不予受理", "Reject"]],
    accepted: [["note_complaint", true, "记录调查", "Note"], ["answer_complaint", true, "答复", "Answer"], ["reject_complaint", true, "不予受理", "Reject"]],
    investigating: [["note_complaint", true, "记录调查", "Note"], ["answer_complaint", true, "答复", "Answer"], ["reject_complaint", true, "不予受理", "Reject"]],
    answered: [["close_complaint", false, "办结", "Close"]],
  };

  function putComplaint(r) {
    if (r.state === "closed" || r.state === "rejected") {
      S.open.delete(r.id);
      return;
    }
    const had = S.open.get(r.id);
    S.open.set(r.id, Object.assign({}, r, { urgency: had ? had.urgency : null }));
  }

  let complaintsSig = "";
  function renderComplaints() {
    const list = Array.from(S.open.values()).sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.seq - b.seq));
    const sig = JSON.stringify(list);
    if (sig === complaintsSig) return; // unchanged: keep what a supervisor is typing
    complaintsSig = sig;
    H.setText($("complaints-count"), list.length ? String(list.length) : "");
    H.show($("complaints-none"), !list.length);
    const rows = list.map((c) => {
      const st = C_STATE[c.state] || [c.state, c.state];
      const src = C_SOURCE[c.source] || [c.source, c.source];
      const who = [c.number, c.window ? windowName(c.window) : "", c.staff || "", c.case ? "办件 " + c.case : ""].filter(Boolean).join(" · ");
      const li = H.el("li", { class: "complaint c-" + (c.urgency || "ok"), dataset: { complaint: c.id, state: c.state } },
        H.el("div", { class: "c-head" },
          H.el("strong", { text: c.id }), " ",
          H.el("span", { class: "c-state", text: st[0] + " / " + st[1] }), " ",
          H.el("span", { class: "c-source muted", text: src[0] + " / " + src[1] }), " ",
          H.el("span", { class: "c-due", text: "期限 Due " + c.due + (c.urgency === "overdue" ? " 已超期 overdue" : c.urgency === "due_soon" ? " 即将到期 due soon" : "") })),
        H.el("p", { class: "c-who muted", text: who }),
        H.el("p", { class: "c-text", text: c.text || "" }));
      if (c.contact) li.append(H.el("p", { class: "c-contact", text: "联系方式 Contact: " + c.contact }));
      for (const n of c.notes || []) li.append(H.el("p", { class: "c-note muted", text: "· " + n.text + "（" + n.staff + "）" }));
      if (c.answer) li.append(H.el("p", { class: "c-answer", text: "答复 Answer: " + c.answer }));
      const actions = C_ACTIONS[c.state] || [];
      if (actions.length) {
        const input = H.el("input", { type: "text", class: "c-input", maxlength: "1000", "aria-label": "说明 / Text for " + c.id });
        const out = H.el("span", { class: "c-result error", role: "alert" });
        const buttons = actions.map(([cmd, needs, zh, en]) => {
          const b = H.el("button", { type: "button", dataset: { cmd: cmd } }, zh + " ", H.el("span", { lang: "en", text: en }));
          b.addEventListener("click", () => complaintAction(c.id, cmd, needs, input, out));
          return b;
        });
        li.append(H.el("div", { class: "c-actions" }, input, ...buttons, out));
      }
      return li;
    });
    $("complaints-list").replaceChildren(...rows);
  }

  async function complaintAction(id, cmd, needs, input, out) {
    const text = input.value.trim();
    if (needs && !text) {
      H.setText(out, "请填写说明 / Please write the text first");
      input.focus();
      return;
    }
    const args = { complaint: id };
    if (needs) args[cmd === "reject_complaint" ? "reason" : "text"] = text;
    try {
      const r = await conn.request(cmd, args);
      if (r && r.record) putComplaint(r.record);
      complaintsSig = "";
      renderComplaints();
    } catch (e) {
      H.setText(out, H.errorBoth(e));
    }
  }

  // ---------- supervisor: actions ----------
  /** Ask; resolves to the button's value ("yes", "no", or a close_window ticket_outcome). */
  function confirmDialog(text, outcomes) {
    const d = $("confirm-dialog");
    H.setText($("confirm-text"), text);
    const extra = outcomes || [];
    H.show($("confirm-yes"), !extra.length);
    for (const o of Object.keys(L.closeOutcomes)) {
      H.setText($("confirm-" + o), bothText(L.closeOutcomes[o]));
      H.show($("confirm-" + o), extra.includes(o));
    }
    return new Promise((resolve) => {
      d.addEventListener("close", () => resolve(d.returnValue), { once: true });
      d.returnValue = "";
      d.showModal();
      $("confirm-no").focus();
    });
  }

  async function closeWindow(n) {
    let text = "关闭 " + windowName(n) + "？该窗口人员将被登出。 / Close " + windowNameEn(n) + "? Its clerk will be logged out.";
    const cur = currentTicket(n);
    let outcomes = [];
    if (cur) { // closed all the same: the supervisor says what becomes of the ticket
      const st = TICKET_STATE[cur.state];
      text = "关闭 " + windowName(n) + "？该窗口人员将被登出。" + cur.number + "（" + st[0] + "）如何处理？ / Close " + windowNameEn(n) + "? Its clerk will be logged out. What becomes of " + cur.number + " (" + st[1] + ")?";
      outcomes = cur.state === "called" ? ["requeue", "no_show"] : ["requeue", "done"];
    }
    const answer = await confirmDialog(text, outcomes);
    if (answer !== "yes" && !outcomes.includes(answer)) return;
    const args = { window: n };
    if (cur) args.ticket_outcome = answer;
    try {
      await conn.request("close_window", args);
    } catch (e) {
      H.setText($("metrics-error"), H.errorBoth(e));
    }
  }

  function renderClosing() {
    const c = H.closingText(S.closing, S.tz);
    H.setText($("closing"), c[0] ? c[0] + " / " + c[1] : "");
  }

  function renderLocked() {
    const list = $("locked");
    const rows = (S.locked || []).map((p) => {
      const until = H.parseIso(p.locked_until);
      const btn = H.el("button", { type: "button", class: "unlock", dataset: { staff: p.id } }, "解锁 ", H.el("span", { lang: "en", text: "Unlock" }));
      btn.addEventListener("click", () => unlockStaff(p.id, p.name));
      return H.el("li", { dataset: { staff: p.id } },
        H.el("span", { text: p.id + " " + p.name + " " }),
        H.el("span", { class: "muted", text: until ? "至 " + H.clockText(until, S.tz, false) + " / until " + H.clockText(until, S.tz, false) + " " : "" }),
        btn);
    });
    list.replaceChildren(...rows);
    H.show($("locked-none"), rows.length === 0);
  }

  async function unlockStaff(id, name) {
    try {
      await conn.request("unlock_staff", { staff: id });
      H.setText($("locked-result"), "已解锁 " + id + " " + name + " / unlocked");
    } catch (e) {
      H.setText($("locked-result"), H.errorBoth(e));
    }
  }

  function renderServicesForm(force) {
    const sel = $("services-window");
    const nums = windowNumbers();
    if (force || sel.options.length !== nums.length) {
      const prev = sel.value;
      sel.replaceChildren(...nums.map((n) => H.el("option", { value: n, text: windowName(n) + " / " + windowNameEn(n) })));
      if (prev) sel.value = prev;
      fillServices();
    }
  }

  function fillServices() {
    const n = Number($("services-window").value);
    const w = S.windows.get(n) || windowConf(n) || { services: [] };
    const have = new Set(w.services || []);
    const fs = $("services-list");
    const legend = fs.querySelector("legend");
    const boxes = (S.hall ? S.hall.services : []).map((s) => {
      const id = "svc-" + s.code;
      return H.el("div", { class: "svc" },
        H.el("input", { type: "checkbox", id: id, name: "service", value: s.code, checked: have.has(s.code) }),
        H.el("label", { for: id }, s.code + " " + s.name + " ", H.el("span", { lang: "en", text: s.name_en })));
    });
    fs.replaceChildren(legend, ...boxes);
  }

  function wireSupervisor() {
    $("metrics-refresh").addEventListener("click", refreshMetrics);
    $("services-window").addEventListener("change", fillServices);
    $("logout-btn").addEventListener("click", () => {
      if (conn) conn.stop();
      conn = null;
      creds = null;
      S.welcomed = false;
      H.show($("board-view"), false);
      H.show($("login-view"), true);
      H.setText($("login-error"), "");
    });
    $("notice-clear").addEventListener("click", async () => {
      const out = $("notice-result");
      try {
        await conn.request("notice", { text: "" });
        H.setText(out, "已撤下 / Removed");
      } catch (e) {
        H.setText(out, H.errorBoth(e));
      }
    });
    $("notice-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const text = $("notice-input").value.trim();
      const minutes = parseInt($("notice-minutes").value, 10);
      const out = $("notice-result");
      if (!text) {
        H.setText(out, "请填写公告内容 / Please write the notice text");
        return;
      }
      const args = { text };
      if (minutes > 0) args.minutes = minutes;
      try {
        await conn.request("notice", args);
        H.setText(out, "已发布 / Posted");
        $("notice-input").value = "";
      } catch (e) {
        H.setText(out, H.errorBoth(e));
      }
    });
    $("services-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const n = Number($("services-window").value);
      const services = Array.from($("services-list").querySelectorAll('input[name="service"]:checked')).map((i) => i.value);
      const out = $("services-result");
      if (!services.length) {
        H.setText(out, "至少选择一个事项 / Choose at least one service");
        return;
      }
      try {
        await conn.request("set_window", { window: n, services });
        H.setText(out, "已保存 / Saved");
      } catch (e) {
        H.setText(out, H.errorBoth(e));
      }
    });
    $("login-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const staff = $("login-staff").value.trim();
      const pin = $("login-pin").value;
      if (!staff || !pin) {
        H.setText($("login-error"), "请输入工号和密码 / Enter staff id and PIN");
        return;
      }
      H.setText($("login-error"), "登录中… / Logging in…");
      creds = { staff, pin };
      S.staff = staff;
      startConnection();
    });
  }

  // ---------- start ----------
  function startConnection() {
    if (conn) conn.stop();
    S.welcomed = false;
    conn = new H.HallConnection({
      hello: () => (SUPERVISOR ? { role: "supervisor", staff: creds.staff, pin: creds.pin } : { role: "display" }),
      onWelcome,
      onEvent,
      onStatus,
      onFatal,
      strictSeq: SUPERVISOR,
    });
    window.__hall.conn = conn;
    conn.start();
  }

  function tick() {
    renderClock();
    renderNotice();
    renderStale();
    if (SUPERVISOR && S.welcomed) renderAlerts(); // waits and pauses grow with the clock
  }

  function main() {
    document.body.classList.toggle("is-supervisor", SUPERVISOR);
    $("voice-btn").addEventListener("click", () => {
      announcer.activate();
      H.show($("voice-btn"), false);
    });
    // Any interaction unlocks audio (browsers need a gesture); a kiosk browser can skip it with
    // --autoplay-policy=no-user-gesture-required.
    document.addEventListener("pointerdown", () => announcer.activate(), { once: true });
    if (VOICE && window.speechSynthesis && navigator.userActivation && !navigator.userActivation.hasBeenActive) {
      // Shown until the first announcement proves speech works or someone clicks it.
      H.show($("voice-btn"), true);
    }
    renderClock();
    setInterval(tick, 1000);
    const resized = new ResizeObserver(fitAll);
    for (const el of [document.querySelector(".latest-row"), $("recent"), $("notice-text"), $("notice-text").parentElement]) resized.observe(el);
    if (SUPERVISOR) {
      wireSupervisor();
      // on_duty_s and paused_s grow with time, not only with events.
      setInterval(() => { if (conn && conn.online) refreshMetrics(); }, 30000);
      H.show($("login-view"), true);
      $("login-staff").focus();
    } else {
      H.show($("board-view"), true);
      renderStale();
      startConnection();
    }
  }

  main();
})();
