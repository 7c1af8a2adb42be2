// The district board: login, the live list of halls, and one hall's read-only view.
// Talks only to the district service that served it (websocket /district/ws).
"use strict";

(() => {
  const $ = (sel) => document.querySelector(sel);
  const state = { ws: null, halls: [], watching: null, creds: null, retry: 500, stopped: false };
  const KIND = {
    unattended: ["无人值守", "Unattended"], overdue: ["超时等候", "Overdue"], unserved: ["无窗口办理", "Unserved"],
    paused: ["暂停过久", "Paused long"], rating: ["差评", "Bad rating"], printer: ["打印机故障", "Printer"],
    complaint: ["投诉", "Complaint"],
  };
  const WSTATE = window.HallLabels.windowStates;
  const FIELDS = ["received", "completed", "pending", "no_show", "completion_rate", "avg_wait_s", "avg_service_s"];
  const FIELD_NAMES = Object.fromEntries(FIELDS.map((f) => [f, window.HallLabels.metrics[f] || [f, f]]));

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    }
    for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return e;
  }
  // 中文 / English, the English half marked lang="en" (docs/ACCESSIBILITY.md, rule 3)
  const bi = (zh, en) => {
    const f = document.createDocumentFragment();
    f.append(`${zh} / `, el("span", { lang: "en" }, en));
    return f;
  };
  const both = (pair) => bi(pair[0], pair[1]);
  const pct = (v) => (v === null || v === undefined ? "-" : `${Math.round(v * 100)}%`);
  const mins = (s) => (s === null || s === undefined ? "-" : `${Math.round(s / 60)} 分 / min`);
  const clock = (isoText) => {
    if (!isoText) return "-";
    const d = new Date(isoText);
    return isNaN(d) ? "-" : d.toLocaleString("zh-CN", { hour12: false });
  };

  function setConn(online) {
    const c = $("#conn-state");
    c.dataset.state = online ? "online" : "offline";
    c.replaceChildren(online ? bi("在线", "live") : bi("未连接，重连中", "offline, reconnecting"));
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/district/ws`);
    state.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", staff: state.creds.staff, pin: state.creds.pin,
                                                lang: navigator.language.startsWith("zh") ? "zh" : "en" }));
    ws.onmessage = (m) => {
      let f;
      try { f = JSON.parse(m.data); } catch { return; }
      if (f.type === "welcome") {
        state.retry = 500;
        setConn(true);
        $("#login-form").hidden = true;
        $("#board").hidden = state.watching !== null;
        $("#me").textContent = `${f.me.name}（${f.me.staff}）`;
        renderHalls(f.halls);
        if (state.watching) ws.send(JSON.stringify({ type: "watch", hall: state.watching }));
      } else if (f.type === "halls") {
        renderHalls(f.halls);
      } else if (f.type === "hall") {
        if (f.hall.summary.id === state.watching) renderDetail(f.hall);
      } else if (f.type === "error") {
        if (ws.readyState !== WebSocket.OPEN || !$("#login-form").hidden) {
          state.stopped = true;
          const msg = $("#login-msg");
          msg.dataset.code = f.code;
          msg.textContent = f.message;
          $("#login-form").hidden = false;
          $("#board").hidden = true;
        }
      }
    };
    ws.onclose = (ev) => {
      setConn(false);
      if (state.stopped || ev.code === 4001) { state.stopped = false; return; }
      setTimeout(connect, state.retry + Math.random() * 250);
      state.retry = Math.min(state.retry * 2, 10000);
    };
  }

  function freshness(h) {
    const f = document.createDocumentFragment();
    if (h.stale) {
      f.append(bi("链路中断", "link down"), " — ", bi("最后事件", "last event"), ` ${clock(h.last_event_at)}`);
    } else {
      f.append(bi("正常", "live"), ` (${clock(h.last_event_at)})`);
    }
    return f;
  }

  function renderHalls(halls) {
    state.halls = halls;
    const body = $("#halls tbody");
    const rows = halls.map((h) => {
      const cell = (field, text, value) => el("td", { "data-field": field, "data-value": value === undefined ? null : JSON.stringify(value) }, text);
      const tr = el("tr", { "data-hall": h.id, "data-stale": h.stale ? "yes" : "no" },
        cell("name", el("button", { type: "button", class: "hall-link", "data-hall": h.id },
          h.today ? h.name : `${h.name}（${h.day}）`)),
        cell("windows_open", `${h.windows_open} / ${h.windows}`, h.windows_open),
        cell("unattended", h.unattended.length ? h.unattended.join(", ") : "-", h.unattended.length),
        cell("waiting", h.waiting, h.waiting),
        cell("longest_wait_s", mins(h.longest_wait_s), h.longest_wait_s),
        cell("received", h.received, h.received),
        cell("completed", h.completed, h.completed),
        cell("completion_rate", pct(h.completion_rate), h.completion_rate),
        cell("alerts", h.alerts, h.alerts),
        cell("freshness", freshness(h), h.last_event_at));
      tr.title = h.name_en || h.name;
      tr.addEventListener("click", () => watch(h.id));
      return tr;
    });
    body.replaceChildren(...rows);
  }

  function watch(id) {
    state.watching = id;
    $("#board").hidden = true;
    $("#detail").hidden = false;
    $("#detail").dataset.hall = id;
    $("#detail-close").focus();  // the keyboard follows the view
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: "watch", hall: id }));
  }

  function renderDetail(d) {
    const s = d.summary;
    $("#detail-name").replaceChildren(`${s.name} ${s.day}`, ...(s.stale ? [" — ", bi("链路中断", "link down")] : []));
    $("#detail").dataset.stale = s.stale ? "yes" : "no";
    $("#detail-windows").replaceChildren(...d.windows.map((w) => el("div", {
        class: "win", "data-window": w.number, "data-state": w.state, "data-unattended": w.unattended_since ? "yes" : "no" },
      el("strong", {}, w.name), " ", both(WSTATE[w.state] || [w.state, w.state]),
      w.staff ? el("div", {}, w.staff) : "", w.unattended_since ? el("div", {}, bi("无人值守", "unattended")) : "")));
    $("#detail-alerts").replaceChildren(...(d.alerts.length ? d.alerts.map((a) => el("li", {
        "data-kind": a.kind, "data-key": a.subject, "data-urgent": a.urgent ? "yes" : "no" },
      both(KIND[a.kind] || [a.kind, a.kind]), `: ${a.subject}${a.seconds ? ` (${mins(a.seconds)})` : ""}`))
      : [el("li", {}, bi("无", "none"))]));
    const head = el("tr", {}, el("th", {}, bi("窗口", "Window")), ...FIELDS.map((f) => el("th", {}, both(FIELD_NAMES[f]))));
    $("#detail-metrics thead").replaceChildren(head);
    const fmt = (f, v) => (f.endsWith("_rate") ? pct(v) : f.endsWith("_s") ? mins(v) : v);
    const row = (key, m) => el("tr", {}, el("td", {}, key === "hall" ? bi("全厅", "Hall") : key),
      ...FIELDS.map((f) => el("td", { "data-window": key, "data-field": f, "data-value": JSON.stringify(m[f] ?? null) }, fmt(f, m[f] ?? null))));
    $("#detail-metrics tbody").replaceChildren(row("hall", d.metrics.hall), ...d.metrics.windows.map((w) => row(String(w.window), w)));
    const waiting = Object.entries(d.waiting).filter(([, n]) => n > 0);
    $("#detail-waiting").replaceChildren(...(waiting.length ? waiting.map(([code, n]) =>
      el("li", { "data-service": code, "data-count": n }, `${(d.services[code] || [code])[0]}: ${n}`)) : [el("li", {}, bi("无", "none"))]));
  }

  $("#detail-close").addEventListener("click", () => {
    const back = state.watching;
    state.watching = null;
    setTimeout(() => document.querySelector(`#halls button[data-hall="${back}"]`)?.focus(), 0);
    $("#detail").hidden = true;
    $("#board").hidden = false;
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: "watch", hall: null }));
  });

  $("#login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    state.creds = { staff: $("#staff").value.trim(), pin: $("#pin").value };
    $("#login-msg").textContent = "";
    if (state.ws) state.ws.close();
    connect();
  });

  window.__district = state;
})();
