/* book.js: 预约 from a phone (/book) and a booking's own page (/b/<token>).
 *
 * A `visitor` client of the hub (anonymous; the hub rate-limits it per address).
 * /book walks department -> service (with its guide) -> day -> slot (places left)
 * -> name and mobile -> the confirmation: the booking code to type at the kiosk
 * and a QR code of the booking's page (drawn by the hub, /b/<token>/qr.svg).
 * /b/<token> shows the booking and lets the citizen cancel or move it; once it
 * is checked in it becomes the ticket page (/t/<token>). Text goes in with
 * textContent only. The page's own random id (`client`, kept for the session)
 * makes a request resent after a reconnect the same request to the hub.
 */
"use strict";

(function () {
  const H = window.Hall;
  const $ = (id) => document.getElementById(id);
  const LANG_KEY = "hall.lang";
  const DAYS_LOOKED_AT = 16; // calendar days from today whose slots are asked for
  const WEEKDAYS = [["周日", "Sun"], ["周一", "Mon"], ["周二", "Tue"], ["周三", "Wed"], ["周四", "Thu"], ["周五", "Fri"], ["周六", "Sat"]];

  const T = {
    connecting: ["正在连接…如长时间未恢复，请检查网络", "Connecting… check your network if this stays"],
    fatal_title: ["未找到该预约", "Booking not found"],
    fatal_body: ["该预约链接无效。请重新预约或到服务台咨询。", "This booking link is not valid. Book again or ask at the service desk."],
    title: ["预约办事", "Book an appointment"],
    title_view: ["我的预约", "My booking"],
    pick_dept: ["第一步：选择部门", "Step 1: choose a department"],
    pick_service: ["第二步：选择事项", "Step 2: choose a service"],
    pick_day: ["第三步：选择日期", "Step 3: choose a day"],
    pick_slot: ["第四步：选择时段", "Step 4: choose a time"],
    your_details: ["第五步：填写信息", "Step 5: your details"],
    none_bookable: ["本大厅暂未开放预约。", "This hall takes no bookings at the moment."],
    no_days: ["近期没有可预约的时段。", "No bookable times in the coming days."],
    materials: ["请准备以下材料", "Please have these ready"],
    fee: ["收费", "Fee"],
    time_limit: ["办理时限", "Time limit"],
    left: [(n) => "余 " + n + " 个", (n) => n + " left"],
    full: ["已约满", "Full"],
    name: ["姓名", "Name"],
    mobile: ["手机号码", "Mobile number"],
    mobile_hint: ["仅用于每人每天限约一次；工作人员只能看到后四位。", "Used only for one booking per person per day; staff see only its last four digits."],
    submit: ["确认预约", "Book"],
    bad_name: ["请填写姓名。", "Please give your name."],
    bad_mobile: ["请填写正确的 11 位手机号码。", "Please give a valid 11-digit mobile number."],
    code_label: ["预约码（到大厅自助机签到时输入）", "Booking code (type it at a kiosk in the hall)"],
    state: ["状态：", "Status: "],
    mobile_tail: [(d) => "手机尾号 " + d, (d) => "Mobile ending " + d],
    checkin_hint: ["请在预约时段开始前 30 分钟至结束后 15 分钟内到自助取号机点「预约签到」。", "At the hall, tap \u201cCheck in\u201d on a kiosk from 30 minutes before your time until 15 minutes after it ends."],
    qr_hint: ["扫码或保存链接，可随时查看、改约或取消。", "Scan or keep this link to see, move or cancel the booking."],
    move: ["改约", "Move"],
    cancel: ["取消预约", "Cancel booking"],
    cancel_q: ["确定取消此预约吗？名额将释放给他人。", "Cancel this booking? The place goes back to others."],
    cancel_yes: ["确定取消", "Yes, cancel"],
    cancel_no: ["不取消", "Keep it"],
    moving: ["改约：请选择新的日期和时段", "Moving: choose a new day and time"],
    back: ["返回", "Back"],
  };

  // Booking states (st_<state>) in the shared words (labels.js, from shared/labels.py).
  for (const [state, pair] of Object.entries(window.HallLabels.bookingStates)) T["st_" + state] = pair;

  const S = {
    lang: loadLang(),
    token: tokenFromPath(),
    hall: null,
    bookable: [],
    today: null,
    dept: null,
    service: null,
    days: null, // [{day, left}] once asked
    day: null,
    slots: null,
    slot: null,
    booking: null,
    moving: false,
    confirmCancel: false,
    welcomed: false,
    fatal: false,
    msg: null, // {zh, en} or {err}
    busy: false,
  };
  let conn = null;
  window.__book = { state: S };

  function loadLang() {
    try {
      return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
    } catch (e) {
      return "zh";
    }
  }

  function clientId() {
    try {
      let id = sessionStorage.getItem("hall.visitor");
      if (!id) {
        id = H.newId();
        sessionStorage.setItem("hall.visitor", id);
      }
      return id;
    } catch (e) {
      return H.newId();
    }
  }
  const CLIENT = clientId();

  function tokenFromPath() {
    const parts = location.pathname.split("/");
    if (parts[1] !== "b") return "";
    try {
      return decodeURIComponent(parts[2] || "");
    } catch (e) {
      return "";
    }
  }

  function tr(key, ...args) {
    const pair = T[key];
    if (!pair) return key;
    const v = pair[S.lang === "en" ? 1 : 0];
    return typeof v === "function" ? v(...args) : v;
  }

  const service = (code) => (S.hall ? (S.hall.services || []).find((s) => s.code === code) : null);
  const hhmm = (iso) => String(iso || "").slice(11, 16);

  function dayText(day) {
    const d = new Date(day + "T12:00:00Z");
    const wd = WEEKDAYS[d.getUTCDay()][S.lang === "en" ? 1 : 0];
    const [, m, dd] = day.split("-");
    return S.lang === "en" ? wd + " " + Number(dd) + "/" + Number(m) : Number(m) + "月" + Number(dd) + "日 " + wd;
  }

  function addDays(day, n) {
    const d = new Date(day + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  // ---------- hub ----------
  function onWelcome(w) {
    S.welcomed = true;
    S.hall = w.hall || S.hall;
    S.today = w.day;
    S.bookable = (w.state && w.state.bookable) || [];
    if (S.token && !S.booking) loadBooking();
    render();
  }

  async function loadBooking() {
    try {
      const r = await conn.request("booking", { token: S.token });
      showBooking(r.booking);
    } catch (e) {
      if (e && e.code === "not_found") S.fatal = true;
      else S.msg = { err: e };
      render();
    }
  }

  function showBooking(b) {
    S.booking = b;
    if (b && b.state === "checked_in" && b.ticket_url) {
      location.replace(b.ticket_url); // after check-in the booking page is the ticket page
      return;
    }
    render();
  }

  async function pickService(code) {
    S.service = code;
    S.days = null;
    S.day = null;
    S.slots = null;
    S.msg = null;
    render();
    const days = [];
    const asks = [];
    for (let i = 0; i < DAYS_LOOKED_AT; i++) {
      const day = addDays(S.today, i);
      asks.push(
        conn.request("slots", { service: code, day }).then((r) => {
          if (r.slots && r.slots.length) days.push({ day, left: r.slots.reduce((a, s) => a + s.left, 0) });
        })
      );
    }
    try {
      await Promise.all(asks);
    } catch (e) {
      S.msg = { err: e };
    }
    if (S.service !== code) return;
    days.sort((a, b) => (a.day < b.day ? -1 : 1));
    S.days = days;
    render();
  }

  async function pickDay(day) {
    S.day = day;
    S.slots = null;
    S.slot = null;
    S.msg = null;
    render();
    try {
      const r = await conn.request("slots", { service: S.service, day });
      if (S.day === day) S.slots = r.slots || [];
    } catch (e) {
      S.msg = { err: e };
    }
    render();
  }

  async function pickSlot(slot) {
    S.slot = slot;
    S.msg = null;
    if (S.moving) {
      await act("move_booking", { token: S.booking.token || S.token, start: slot.start });
      return;
    }
    render();
    $("name").focus();
  }

  async function act(type, args) {
    if (S.busy) return;
    S.busy = true;
    render();
    try {
      const r = await conn.request(type, args);
      S.msg = null;
      S.moving = false;
      S.confirmCancel = false;
      S.service = S.day = S.slots = S.slot = S.days = null;
      S.booking = r.booking;
      if (r.booking && r.booking.token && location.pathname !== "/b/" + r.booking.token) {
        S.token = r.booking.token;
        history.replaceState(null, "", "/b/" + encodeURIComponent(r.booking.token));
      }
    } catch (e) {
      S.msg = { err: e };
      if (e && e.code === "slot_full" && S.day) pickDay(S.day);
    } finally {
      S.busy = false;
    }
    render();
  }

  function submitBooking(ev) {
    ev.preventDefault();
    const name = $("name").value.trim();
    const mobile = $("mobile").value.replace(/[\s-]/g, "");
    $("name").setAttribute("aria-invalid", name ? "false" : "true");
    const okMobile = /^(\+?86)?1[3-9]\d{9}$/.test(mobile);
    $("mobile").setAttribute("aria-invalid", okMobile ? "false" : "true");
    if (!name) S.msg = { key: "bad_name" };
    else if (!okMobile) S.msg = { key: "bad_mobile" };
    else {
      act("book", { service: S.service, start: S.slot.start, name, mobile });
      return;
    }
    render();
  }

  // ---------- rendering ----------
  function button(label, sub, onclick, opts) {
    const b = H.el("button", { type: "button", onclick, class: opts && opts.selected ? "selected" : null, disabled: opts && opts.disabled });
    b.append(label);
    if (sub) b.append(H.el("span", { class: "sub", text: sub }));
    if (opts && opts.data) for (const [k, v] of Object.entries(opts.data)) b.dataset[k] = v;
    return b;
  }

  function fill(node, children) {
    node.replaceChildren(...children);
  }

  function render() {
    document.documentElement.lang = S.lang === "en" ? "en" : "zh-CN";
    for (const node of document.querySelectorAll("[data-i18n]")) H.setText(node, tr(node.dataset.i18n));
    H.setText($("lang-toggle"), S.lang === "en" ? "中文" : "English");
    H.setText($("hall-name"), S.hall ? H.nameOf(S.hall, S.lang) : "");
    const online = conn && conn.online && S.welcomed;
    H.show($("stale"), !online && !S.fatal);
    H.show($("fatal"), S.fatal);
    const viewing = !!S.booking && !S.moving;
    H.setText($("title"), tr(S.moving ? "moving" : viewing || S.token ? "title_view" : "title"));
    renderMsg();
    const wizard = !S.fatal && S.welcomed && !viewing && (!S.token || S.moving);
    renderWizard(wizard);
    renderBooking(viewing && !S.fatal);
    H.show($("back"), wizard && !!(S.dept || S.moving));
  }

  function renderMsg() {
    const m = S.msg;
    let text = "";
    if (m && m.key) text = tr(m.key);
    else if (m && m.err) text = H.errorText(m.err, S.lang);
    H.setText($("msg"), text);
  }

  function renderWizard(on) {
    const depts = S.hall ? (S.hall.departments || []).filter((d) => (S.hall.services || []).some((s) => s.department === d.code && S.bookable.includes(s.code))) : [];
    H.show($("step-dept"), on && !S.moving);
    H.show($("none-bookable"), on && depts.length === 0);
    if (on) {
      fill($("dept-list"), depts.map((d) => button(H.nameOf(d, S.lang), null, () => { S.dept = d.code; S.service = null; S.days = null; S.day = null; S.slots = null; render(); }, { selected: S.dept === d.code, data: { dept: d.code } })));
    }
    const services = S.dept ? (S.hall.services || []).filter((s) => s.department === S.dept && S.bookable.includes(s.code)) : [];
    H.show($("step-service"), on && !!S.dept && !S.moving);
    if (on) fill($("service-list"), services.map((s) => button(H.nameOf(s, S.lang), s.booking ? (S.lang === "en" ? s.booking.slot_minutes + "-minute slots" : "每 " + s.booking.slot_minutes + " 分钟一个时段") : null, () => pickService(s.code), { selected: S.service === s.code, data: { service: s.code } })));
    const svc = service(S.service);
    H.show($("guide"), on && !!svc);
    if (on && svc) {
      const g = svc.guide || {};
      H.setText($("guide-service"), H.nameOf(svc, S.lang));
      const mats = (S.lang === "en" && g.materials_en && g.materials_en.length ? g.materials_en : g.materials) || [];
      fill($("guide-materials"), mats.map((m) => H.el("li", { text: m })));
      H.setText($("guide-fee"), (S.lang === "en" ? g.fee_en : g.fee) || g.fee || "—");
      H.setText($("guide-time"), (S.lang === "en" ? g.time_limit_en : g.time_limit) || g.time_limit || "—");
    }
    H.show($("step-day"), on && !!S.service && S.days !== null);
    H.show($("no-days"), on && S.days !== null && S.days.length === 0);
    if (on && S.days) fill($("day-list"), S.days.map((d) => button(dayText(d.day), d.left ? tr("left", d.left) : tr("full"), () => pickDay(d.day), { selected: S.day === d.day, disabled: !d.left, data: { day: d.day } })));
    H.show($("step-slot"), on && !!S.day && S.slots !== null);
    if (on && S.slots) fill($("slot-list"), S.slots.map((s) => button(hhmm(s.start) + "–" + hhmm(s.end), s.left ? tr("left", s.left) : tr("full"), () => pickSlot(s), { selected: S.slot && S.slot.start === s.start, disabled: !s.left || S.busy, data: { start: s.start } })));
    H.show($("step-form"), on && !!S.slot && !S.moving);
    if (on && S.slot) H.setText($("form-slot"), H.nameOf(svc, S.lang) + " · " + dayText(S.slot.start.slice(0, 10)) + " " + hhmm(S.slot.start) + "–" + hhmm(S.slot.end));
    $("book-submit").disabled = S.busy;
    if (S.moving && on && !S.service) pickService(S.booking.service);
  }

  function renderBooking(on) {
    H.show($("booking"), on);
    if (!on) return;
    const b = S.booking;
    H.setText($("code"), b.code || "");
    H.setText($("b-service"), H.nameOf(service(b.service), S.lang) || b.service);
    H.setText($("b-when"), dayText(b.day) + " " + hhmm(b.start) + "–" + hhmm(b.end));
    H.setText($("b-state"), tr("st_" + b.state));
    $("b-state").dataset.state = b.state;
    H.setText($("b-mobile"), b.mobile ? tr("mobile_tail", b.mobile) : "");
    const token = b.token || S.token;
    const qr = "/b/" + encodeURIComponent(token) + "/qr.svg";
    if ($("qr").getAttribute("src") !== qr) $("qr").setAttribute("src", qr);
    $("qr").setAttribute("alt", S.lang === "en" ? "QR code of this booking's page" : "本预约页面的二维码");
    const url = b.url || location.origin + "/b/" + token;
    $("b-link").setAttribute("href", url);
    H.setText($("b-link"), url);
    const active = b.state === "booked";
    H.show($("b-hint"), active);
    H.show($("move-btn"), active && !S.confirmCancel);
    H.show($("cancel-btn"), active && !S.confirmCancel);
    H.show($("cancel-confirm"), active && S.confirmCancel);
  }

  function main() {
    $("lang-toggle").addEventListener("click", () => {
      S.lang = S.lang === "en" ? "zh" : "en";
      try { localStorage.setItem(LANG_KEY, S.lang); } catch (e) { /* private mode */ }
      render();
    });
    $("book-form").addEventListener("submit", submitBooking);
    $("cancel-btn").addEventListener("click", () => { S.confirmCancel = true; render(); $("cancel-no").focus(); });
    $("cancel-no").addEventListener("click", () => { S.confirmCancel = false; render(); });
    $("cancel-yes").addEventListener("click", () => act("cancel_booking", { token: S.booking.token || S.token }));
    $("move-btn").addEventListener("click", () => { S.moving = true; S.msg = null; S.service = null; render(); });
    $("back").addEventListener("click", () => {
      S.msg = null;
      if (S.moving) { S.moving = false; S.service = S.day = S.slots = S.slot = S.days = null; }
      else if (S.slot) S.slot = null;
      else if (S.day) { S.day = null; S.slots = null; }
      else if (S.service) { S.service = null; S.days = null; }
      else S.dept = null;
      render();
    });
    render();
    conn = new H.HallConnection({
      hello: () => ({ role: "visitor", client: CLIENT, lang: S.lang }),
      onWelcome,
      onEvent: () => {},
      onStatus: render,
      onFatal: () => { S.fatal = true; render(); },
      quietMs: 60000,
      refreshOnSeq: false,
    });
    window.__book.conn = conn;
    conn.start();
  }

  main();
})();
