/* reports.js: the supervisors' reports page (/reports): periods, views, sortable tables,
 * charts drawn here as inline SVG (nothing is fetched from outside the hub), CSV and xlsx
 * downloads. The figures are the hub's `report` reply (docs/REPORTS.md); nothing is
 * recomputed here, only formatted.
 */
(function () {
  "use strict";
  const H = window.Hall;
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const LISTS = { window: "windows", department: "departments", clerk: "clerks", service: "services" };
  const KEYS = { window: ["窗口", "Window"], department: ["部门", "Department"], clerk: ["工作人员", "Clerk"], service: ["事项", "Service"] };
  const CLASSES = { busy: "业务量较大", sparse: "零星业务", none: "无业务", vacant: "长期空岗" };
  // key, 中文, English, kind (n number, r rate, d m:ss, h h:mm, f 2 decimals, c class, s text)
  const COLUMNS = [
    ["name", "名称", "Name", "s"], ["class", "类别", "Class", "c"], ["rank", "排名", "Rank", "n"],
    ["received", null, null, "n"], ["completed", null, null, "n"],
    ["completion_rate", "办结率", "Completion", "r"], ["on_time_rate", "按时办结率", "On time", "r"],
    ["open", "在办", "Open cases", "n"], ["overdue", "超期", "Overdue", "n"],
    ["tickets", "叫号", "Tickets", "n"], ["no_show", null, null, "n"],
    ["avg_wait_s", "平均等候", "Mean wait", "d"], ["p90_wait_s", "90%等候", "P90 wait", "d"],
    ["avg_service_s", "平均办理", "Mean service", "d"], ["handoffs_out", "转出", "Handoffs out", "n"],
    ["days_present", "在岗天数", "Days present", "n"], ["on_duty_s", "在岗时长", "On duty", "h"],
    ["ratings", "评价", "Ratings", "n"], ["bad_rating_rate", "差评率", "Bad ratings", "r"],
    ["complaints", "投诉", "Complaints", "n"],
  ];
  // the words the hall's labels table has (shared/labels.py) come from it, not from here
  for (const c of COLUMNS) {
    if (c[1] === null) [c[1], c[2]] = window.HallLabels.metrics[c[0]];
  }
  const word = (key) => COLUMNS.find((c) => c[0] === key).slice(1, 3);
  let conn = null;
  let creds = null;
  let report = null;
  let sort = { key: "rank", dir: 1 };

  function mmss(v) { const s = Math.round(v); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }
  function hhmm(v) { const m = Math.round(v / 60); return Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0"); }
  function cell(v, kind) {
    if (v === null || v === undefined) return "-";
    switch (kind) {
      case "r": return (100 * v).toFixed(1) + "%";
      case "d": return mmss(v);
      case "h": return hhmm(v);
      case "f": return v.toFixed(2);
      case "c": return CLASSES[v] || v;
      default: return String(v);
    }
  }
  function iso(d) { return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0"); }

  let hallDay = null; // the hall's day (its time zone), from the welcome

  function periodDates() {
    const now = hallDay ? new Date(hallDay + "T12:00:00") : new Date();
    const p = $("period").value;
    if (p === "range") return [$("from").value, $("to").value];
    if (p === "day") return [iso(now), iso(now)];
    if (p === "week") {
      const mon = new Date(now); mon.setDate(now.getDate() - ((now.getDay() + 6) % 7));
      const sun = new Date(mon); sun.setDate(mon.getDate() + 6);
      return [iso(mon), iso(sun)];
    }
    if (p === "year") return [now.getFullYear() + "-01-01", now.getFullYear() + "-12-31"];
    return [iso(new Date(now.getFullYear(), now.getMonth(), 1)), iso(new Date(now.getFullYear(), now.getMonth() + 1, 0))];
  }

  function columns(view) {
    const cols = [[view, KEYS[view][0], KEYS[view][1], "s"]].concat(COLUMNS);
    return view === "window" || view === "department" ? cols : cols.filter((c) => c[0] !== "class");
  }

  function renderTotals() {
    const h = report.hall;
    const items = [
      [...word("received"), h.received, "n"], [...word("completed"), h.completed, "n"],
      ["办结率", "Completion", h.completion_rate, "r"], ["按时办结率", "On time", h.on_time_rate, "r"],
      ["在办", "Open cases", h.open, "n"], ["超期", "Overdue", h.overdue, "n"],
      ["叫号", "Tickets", h.tickets, "n"], ["平均等候", "Mean wait", h.avg_wait_s, "d"],
      ["评价", "Ratings", h.ratings, "n"], ["投诉", "Complaints", h.complaints, "n"],
      ["预约签到", "Bookings checked in", h.bookings_checked_in, "n"],
      ["预约爽约", "Booking no-shows", h.bookings_no_show, "n"],
      ["咨询", "Consultations", h.consultations, "n"],
    ];
    const box = $("totals");
    box.textContent = "";
    for (const [zh, en, v, kind] of items) {
      const d = document.createElement("div");
      d.dataset.key = en;
      d.append(zh + " ");
      const e = document.createElement("span"); e.lang = "en"; e.textContent = en; d.append(e);
      const b = document.createElement("b"); b.textContent = cell(v, kind); d.append(b);
      box.append(d);
    }
  }

  function renderTable() {
    const view = $("view").value;
    const cols = columns(view);
    const rows = report[LISTS[view]].slice();
    rows.sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
    const thead = $("table").tHead;
    const tbody = $("table").tBodies[0];
    thead.textContent = "";
    tbody.textContent = "";
    const tr = thead.insertRow();
    for (const [key, zh, en] of cols) {
      const th = document.createElement("th");
      th.dataset.key = key;
      th.textContent = zh + " " + en;
      if (key === sort.key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      th.addEventListener("click", () => {
        sort = { key, dir: sort.key === key ? -sort.dir : 1 };
        renderTable();
      });
      tr.append(th);
    }
    for (const r of rows) {
      const row = tbody.insertRow();
      row.dataset.key = String(r[view]);
      for (const [key, , , kind] of cols) {
        const td = row.insertCell();
        td.textContent = cell(r[key], kind);
        if (kind === "s" || kind === "c") td.className = "t";
      }
    }
  }

  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** A chart of series over categories: "bar" (grouped) or "line". */
  function chart(box, cats, series, kind, fmt) {
    box.textContent = "";
    const W = 600, Hh = 200, L = 40, B = 30, T = 10;
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${Hh}`, role: "img" });
    const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v || 0)));
    // its text alternative: the figure's caption and what each series adds up to (or peaks at)
    const cap = box.closest("figure")?.querySelector("figcaption")?.textContent || "";
    const said = series.map((s) => {
      const vals = s.values.map((v) => v || 0);
      return fmt
        ? `${s.name} 最高 max ${fmt(Math.max(0, ...vals))}`
        : `${s.name} 合计 total ${vals.reduce((a, b) => a + b, 0)}`;
    });
    svg.append(svgEl("title", {}, `${cap}: ${said.join("; ")}`.trim()));
    const x0 = L, w = W - L - 10, h = Hh - B - T;
    const y = (v) => T + h - (h * (v || 0)) / max;
    svg.append(svgEl("line", { x1: x0, y1: T + h, x2: x0 + w, y2: T + h, stroke: "#999" }));
    svg.append(svgEl("text", { x: 2, y: T + 8 }, fmt ? fmt(max) : String(max)));
    const step = cats.length ? w / cats.length : w;
    const label = Math.max(1, Math.ceil(cats.length / 12));
    cats.forEach((c, i) => {
      if (i % label === 0) svg.append(svgEl("text", { x: x0 + i * step + 2, y: Hh - 12 }, String(c)));
    });
    series.forEach((s, si) => {
      if (kind === "bar") {
        const bw = step / (series.length + 1);
        s.values.forEach((v, i) => {
          svg.append(svgEl("rect", { class: "s-" + s.cls, x: x0 + i * step + si * bw + bw / 2, y: y(v), width: bw, height: T + h - y(v) }));
        });
      } else {
        const pts = s.values.map((v, i) => `${x0 + i * step + step / 2},${y(v)}`).join(" ");
        svg.append(svgEl("polyline", { class: "s-" + s.cls, fill: "none", "stroke-width": 2, points: pts }));
      }
      svg.append(svgEl("text", { class: "s-" + s.cls, x: W - 120, y: T + 12 + 12 * si }, s.name));
    });
    box.append(svg);
  }

  function renderCharts() {
    const days = report.days || [];
    chart($("chart-daily"), days.map((d) => d.day.slice(5)), [
      { name: word("received").join(" "), cls: "received", values: days.map((d) => d.received) },
      { name: word("completed").join(" "), cls: "completed", values: days.map((d) => d.completed) },
    ], "line");
    const hours = report.waits_by_hour || [];
    chart($("chart-waits"), hours.map((x) => x.hour + ":00"), [
      { name: "平均等候 Mean wait", cls: "wait", values: hours.map((x) => x.avg_wait_s) },
    ], "bar", mmss);
    const deps = report.departments.filter((d) => d.received || d.completed);
    chart($("chart-departments"), deps.map((d) => d.name), [
      { name: word("received").join(" "), cls: "received", values: deps.map((d) => d.received) },
      { name: word("completed").join(" "), cls: "completed", values: deps.map((d) => d.completed) },
    ], "bar");
  }

  function status(text) { H.setText($("status"), text); }

  async function load() {
    const [from, to] = periodDates();
    if (!from || !to) { status("请选择起止日期 / Choose both dates"); return; }
    status("查询中… / Loading…");
    try {
      const ok = await conn.request("report", { from, to }, 60000);
      report = ok.report;
      $("from").value = from; $("to").value = to;
      renderTotals(); renderTable(); renderCharts();
      status(`${report.from} — ${report.to}`);
      document.body.dataset.loaded = report.from + "/" + report.to;
    } catch (err) {
      status(H.errorBoth(err));
    }
  }

  async function download(format) {
    const [from, to] = periodDates();
    status("生成中… / Preparing…");
    try {
      const ok = await conn.request("report", { from, to, format, by: $("view").value }, 60000);
      let blob;
      if (format === "csv") blob = new Blob(["\ufeff" + ok.csv], { type: "text/csv" });
      else {
        const bin = atob(ok.xlsx);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        blob = new Blob([bytes], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
      }
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `report-${from}-${to}.${format}`;
      document.body.append(a); a.click(); a.remove();
      status(`${from} — ${to}`);
    } catch (err) {
      status(H.errorBoth(err));
    }
  }

  function main() {
    $("login-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const staff = $("login-staff").value.trim();
      const pin = $("login-pin").value;
      if (!staff || !pin) { H.setText($("login-error"), "请输入工号和密码 / Enter staff id and PIN"); return; }
      H.setText($("login-error"), "登录中… / Logging in…");
      creds = { staff, pin };
      if (conn) conn.stop();
      conn = new H.HallConnection({
        hello: () => ({ role: "supervisor", staff: creds.staff, pin: creds.pin }),
        onWelcome: (w) => {
          H.show($("login-view"), false);
          H.show($("reports-view"), true);
          if (w.hall) H.setText($("hall-name"), w.hall.name || "");
          if (w.day) hallDay = w.day;
          if (!report) load();
        },
        onEvent: () => {},
        onStatus: () => {},
        onFatal: (err) => {
          creds = null;
          H.show($("reports-view"), false);
          H.show($("login-view"), true);
          H.setText($("login-error"), H.errorBoth(err));
          $("login-pin").value = "";
        },
      });
      window.__reports = { conn };
      conn.start();
    });
    $("period-form").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
    $("view").addEventListener("change", () => { if (report) { sort = { key: "rank", dir: 1 }; renderTable(); } });
    $("dl-csv").addEventListener("click", () => download("csv"));
    $("dl-xlsx").addEventListener("click", () => download("xlsx"));
    $("login-staff").focus();
  }
  document.addEventListener("DOMContentLoaded", main);
})();
