// The district board: login, the live list of halls, one hall's read-only view, and the
// complaint center (the open complaints of every hall in scope; actions go to the hall).
// Talks only to the district service that served it (websocket /district/ws).
"use strict";

(() => {
  const $ = (sel) => document.querySelector(sel);
  const state = { ws: null, halls: [], watching: null, creds: null, retry: 500, stopped: false,
                  complaints: [], commands: [], filter: "", acts: new Map(), rid: 0 };
  const C_STATE = {
    received: ["已收到", "Received"], accepted: ["已受理", "Accepted"], investigating: ["调查中", "Investigating"],
    answered: ["已答复", "Answered"], closed: ["已结案", "Case closed"], rejected: ["不予受理", "Rejected"],
  };
  const C_COMMAND = {
    accept_complaint: ["受理", "Accept"], note_complaint: ["记录调查", "Note"], answer_complaint: ["答复", "Answer"],
    close_complaint: ["办结", "Close"], reject_complaint: ["不予受理", "Reject"],
  };
  // what a supervisor may do in each state: [command, needs text] (hub/complaints.py TRANSITIONS)
  const C_ACTIONS = {
    received: [["accept_complaint", false], ["reject_complaint", true]],
    accepted: [["note_complaint", true], ["answer_complaint", true], ["reject_complaint", true]],
    investigating: [["note_complaint", true], ["answer_complaint", true], ["reject_complaint", true]],
    answered: [["close_complaint", false]],
  };
  const C_STATUS = { pending: ["待乡镇大厅接收", "waiting for the hall"], applied: ["已生效", "applied"], refused: ["被大厅拒绝", "refused by the hall"] };
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
        $("#complaints").hidden = state.watching !== null;
        $("#me").textContent = `${f.me.name}（${f.me.staff}）`;
        renderHalls(f.halls);
        if (state.watching) ws.send(JSON.stringify({ type: "watch", hall: state.watching }));
      } else if (f.type === "halls") {
        renderHalls(f.halls);
      } else if (f.type === "complaints") {
        state.complaints = f.complaints;
        state.commands = f.commands;
        renderComplaints();
      } else if (f.type === "ok" && f.re && state.acts.has(f.re)) {
        const out = state.acts.get(f.re);
        state.acts.delete(f.re);
        out.className = "c-result";
        out.replaceChildren(bi("已提交", "sent"));
        if (f.command && !state.commands.some((c) => c.id === f.command.id)) {
          state.commands = [...state.commands, f.command];
          renderComplaints();
        }
      } else if (f.type === "error" && f.re && state.acts.has(f.re)) {
        const out = state.acts.get(f.re);
        state.acts.delete(f.re);
        out.className = "c-result c-error";
        out.dataset.code = f.code;
        out.textContent = f.message;
      } else if (f.type === "hall") {
        if (f.hall.summary.id === state.watching) renderDetail(f.hall);
      } else if (f.type === "error") {
        if (ws.readyState !== WebSocket.OPEN || !$("#login-form").hidden || f.code === "logged_out") {
          state.stopped = true;
          const msg = $("#login-msg");
          msg.dataset.code = f.code;
          msg.textContent = f.message;
          $("#login-form").hidden = false;
          $("#board").hidden = true;
          $("#complaints").hidden = true;
          $("#detail").hidden = true;
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

  function hallName(id) {
    const h = state.halls.find((x) => x.id === id);
    return h ? h.name : id;
  }

  function renderFilter() {
    const sel = $("#complaint-hall");
    const want = ["", ...state.halls.map((h) => h.id)];
    const have = Array.from(sel.options).map((o) => o.value);
    if (JSON.stringify(want) === JSON.stringify(have)) return;
    sel.replaceChildren(el("option", { value: "" }, "全部 / All"),
      ...state.halls.map((h) => el("option", { value: h.id }, h.name)));
    sel.value = want.includes(state.filter) ? state.filter : "";
  }

  let complaintsSig = "";
  function renderComplaints() {
    renderFilter();
    const shown = state.complaints.filter((c) => !state.filter || c.hall === state.filter);
    const mine = state.commands.filter((c) => !state.filter || c.hall === state.filter);
    const sig = JSON.stringify([shown, mine]);
    if (sig === complaintsSig) return;  // unchanged: keep what a supervisor is typing
    complaintsSig = sig;
    const typed = new Map(Array.from(document.querySelectorAll("#complaint-list input[data-complaint]"))
      .map((i) => [i.dataset.complaint, i.value]));
    $("#complaints-count").textContent = state.complaints.length ? `(${state.complaints.length})` : "";
    $("#complaints-none").hidden = shown.length > 0;
    const last = new Map();  // "hall/complaint" -> the newest district command for it
    for (const c of state.commands) last.set(`${c.hall}/${c.complaint}`, c);
    const rows = shown.map((c) => {
      const st = C_STATE[c.state] || [c.state, c.state];
      const cmd = last.get(`${c.hall}/${c.id}`);
      const pending = state.commands.some((x) => x.hall === c.hall && x.complaint === c.id && x.status === "pending");
      const cell = (field, ...kids) => el("td", { "data-field": field }, ...kids);
      const stateCell = cell("state", both(st));
      if (pending) stateCell.append(el("div", { class: "c-pending", "data-pending": "yes" }, bi("待乡镇大厅接收", "waiting for the hall")));
      else if (cmd && cmd.status === "refused" && cmd.error) stateCell.append(el("div", { class: "c-refused", "data-code": cmd.error.code }, cmd.error.message));
      const textCell = cell("text", el("div", {}, c.text || ""));
      if (c.contact) textCell.append(el("div", { class: "c-note" }, `联系方式 / `, el("span", { lang: "en" }, "Contact"), `: ${c.contact}`));
      for (const n of c.notes || []) textCell.append(el("div", { class: "c-note" }, `· ${n.text}（${n.staff}）`));
      if (c.answer) textCell.append(el("div", { class: "c-answer" }, bi("答复", "Answer"), `: ${c.answer}`));
      const acts = el("div", { class: "c-actions" });
      const actions = C_ACTIONS[c.state] || [];
      if (actions.length) {
        const input = el("input", { type: "text", maxlength: "1000", "data-complaint": c.id,
                                     "aria-label": `说明 / Text for ${c.id}` });
        input.value = typed.get(c.id) || "";
        const out = el("span", { class: "c-result", role: "status" });
        acts.append(input, ...actions.map(([command, needs]) => {
          const b = el("button", { type: "button", "data-cmd": command }, both(C_COMMAND[command]));
          b.addEventListener("click", () => act(c, command, needs, input, out));
          return b;
        }), out);
      }
      const due = c.urgency === "overdue" ? " 已超期 / overdue" : c.urgency === "due_soon" ? " 即将到期 / due soon" : "";
      return el("tr", { "data-hall": c.hall, "data-complaint": c.id, "data-state": c.state,
                        "data-urgency": c.urgency || "ok", "data-pending": pending ? "yes" : "no" },
        cell("hall", c.hall_name || hallName(c.hall)),
        cell("who", [c.window ? `窗口 ${c.window}` : "-", c.staff || ""].filter(Boolean).join(" · ")),
        cell("received", clock(c.received_at)),
        cell("due", `${c.due}${due}`),
        stateCell, textCell, cell("actions", acts));
    });
    $("#complaint-list tbody").replaceChildren(...rows);
    const recent = mine.slice(-20).reverse();
    $("#commands").replaceChildren(...(recent.length ? recent.map((c) => {
      const li = el("li", { "data-command": c.id, "data-status": c.status },
        `#${c.id} ${hallName(c.hall)} ${c.complaint} `, both(C_COMMAND[c.command] || [c.command, c.command]),
        ` (${c.staff}) — `, both(C_STATUS[c.status] || [c.status, c.status]));
      if (c.error) li.append(`: ${c.error.message}`);
      return li;
    }) : [el("li", {}, bi("无", "none"))]));
  }

  function act(c, command, needs, input, out) {
    const text = input.value.trim();
    out.className = "c-result c-error";
    if (needs && !text) {
      out.replaceChildren(bi("请填写说明", "Please write the text first"));
      input.focus();
      return;
    }
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      out.replaceChildren(bi("未连接，请稍后再试", "offline: try again shortly"));
      return;
    }
    const id = `a${++state.rid}`;
    const frame = { type: "act", id, hall: c.hall, command, complaint: c.id };
    if (needs) frame[command === "reject_complaint" ? "reason" : "text"] = text;
    state.acts.set(id, out);
    out.className = "c-result";
    out.replaceChildren(bi("提交中", "sending"));
    input.value = "";
    state.ws.send(JSON.stringify(frame));
  }

  $("#complaint-hall").addEventListener("change", (ev) => {
    state.filter = ev.target.value;
    renderComplaints();
  });

  function watch(id) {
    state.watching = id;
    $("#board").hidden = true;
    $("#complaints").hidden = true;
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
    $("#complaints").hidden = false;
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
