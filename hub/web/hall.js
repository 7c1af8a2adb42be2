/* hall.js: helpers shared by the hub's browser pages (board, supervisor, ticket).
 *
 * Plain ES2020, no framework, nothing fetched from outside the hub. Text is
 * always inserted with textContent (never innerHTML with data).
 *
 * HallConnection speaks protocol v1 (docs/protocol.md) over one websocket: hello, welcome,
 * requests with replies, events. It reconnects by itself with backoff and
 * jitter, takes a fresh snapshot (welcome) on every reconnect, resends
 * unanswered requests with their id (the hub deduplicates by id), and keeps
 * a watchdog: after a quiet spell it asks /healthz whether the hub is alive
 * and whether events passed us by, so a board is never silently stale.
 */
"use strict";

(function (global) {
  const HEX = "0123456789abcdef";

  /** A random request id (32 hex digits); crypto.randomUUID needs a secure context, this does not. */
  function newId() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    let s = "";
    for (const x of b) s += HEX[x >> 4] + HEX[x & 15];
    return s;
  }

  /** The hub's websocket URL, on the host that served the page. */
  function wsUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  }

  /** Make an element; props: text, class, dataset, on<event>, other attributes. */
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "text") e.textContent = String(v);
        else if (k === "class") e.className = v;
        else if (k === "dataset") {
          for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
        } else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /** Set an element's text only when it changed (keeps screen readers and observers quiet). */
  function setText(node, s) {
    if (!node) return;
    s = s === null || s === undefined ? "" : String(s);
    if (node.textContent !== s) node.textContent = s;
  }

  /** Show or hide an element with the hidden attribute. */
  function show(node, on) {
    if (node) node.hidden = !on;
  }

  /** Parse a protocol time (ISO 8601 with offset, maybe microseconds) into a Date, or null. */
  function parseIso(s) {
    if (!s) return null;
    const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$/.exec(String(s));
    const norm = m ? m[1] + (m[2] ? m[2].slice(0, 4) : "") + m[3] : String(s);
    const d = new Date(norm);
    return isNaN(d.getTime()) ? null : d;
  }

  const fmtCache = new Map();
  /** "HH:MM" (or "HH:MM:SS") of a Date in the hall's time zone. */
  function clockText(date, tz, seconds) {
    if (!date) return "";
    const key = (tz || "") + (seconds ? "s" : "");
    let f = fmtCache.get(key);
    if (!f) {
      const opts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
      if (seconds) opts.second = "2-digit";
      try {
        f = new Intl.DateTimeFormat("en-GB", tz ? { ...opts, timeZone: tz } : opts);
      } catch (e) {
        f = new Intl.DateTimeFormat("en-GB", opts);
      }
      fmtCache.set(key, f);
    }
    return f.format(date);
  }

  /** The date ("2026-11-26") and weekday of a Date in the hall's time zone. */
  function dateText(date, tz, lang) {
    const opts = { year: "numeric", month: "long", day: "numeric", weekday: "long" };
    try {
      return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", tz ? { ...opts, timeZone: tz } : opts).format(date);
    } catch (e) {
      return date.toDateString();
    }
  }

  /** A duration in seconds as "m:ss" or "h:mm:ss" ("—" for null). */
  function durText(s) {
    if (s === null || s === undefined || isNaN(s)) return "—";
    s = Math.round(Number(s));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
  }

  /** A rate in [0, 1] as a percentage ("—" for null). */
  function rateText(r) {
    if (r === null || r === undefined || isNaN(r)) return "—";
    return (Number(r) * 100).toFixed(1).replace(/\.0$/, "") + "%";
  }

  /** Look up a dotted path ("ratings.avg") in an object. */
  function getPath(obj, path) {
    let v = obj;
    for (const p of path.split(".")) {
      if (v === null || v === undefined) return undefined;
      v = v[p];
    }
    return v;
  }

  /** The number part of a ticket id ("20261126-A012" -> "A012"). */
  function numberOfId(id) {
    if (!id) return "";
    const i = String(id).indexOf("-");
    return i >= 0 ? String(id).slice(i + 1) : String(id);
  }

  /** Queue order of two waiting tickets (shared/calling.py queue_key): when each started
   * waiting, then the seq of the hub event that queued it. Never the number (F1000 after F999).
   * A visit stands in line by `line_at`/`line_seq` (its issue, kept when it moves on a step). */
  function compareQueue(a, b) {
    const at = (t) => String(("line_at" in t ? t.line_at : t.queued_at) || "");
    const seq = (t) => ("line_seq" in t ? t.line_seq : t.queued_seq) || 0;
    const qa = at(a), qb = at(b);
    if (qa !== qb) return qa < qb ? -1 : 1;
    return seq(a) - seq(b);
  }

  /** Name of a catalogue object in a language (Chinese name as fallback). */
  function nameOf(obj, lang) {
    if (!obj) return "";
    if (lang === "en" && obj.name_en) return String(obj.name_en);
    return String(obj.name || obj.code || "");
  }

  // The hub words its own errors (in the hello's language); a page words only what happens here.
  const LOCAL_ERRORS = {
    timeout: ["网络超时，请稍后再试", "Network timeout, please try again"],
    offline: ["网络中断，恢复后将自动重试", "Offline: will retry when the connection is back"],
    unavailable: ["服务暂不可用，请稍后再试", "Service unavailable, please try again shortly"],
  };

  /** An error in words: the hub's message, or the page's own text for a local failure. */
  function errorText(err, lang) {
    const local = LOCAL_ERRORS[err && err.code] || (err && err.message ? null : LOCAL_ERRORS.unavailable);
    return local ? local[lang === "en" ? 1 : 0] : String(err.message);
  }

  /** An error for a bilingual page: the hub's message, or both languages of a local text. */
  function errorBoth(err) {
    const zh = errorText(err, "zh");
    const en = errorText(err, "en");
    return zh === en ? zh : zh + " / " + en;
  }

  const FATAL_CLOSE = new Set([4000, 4001, 4003]);
  const FATAL_HELLO = new Set(["bad_hello", "unsupported_version", "auth_failed", "locked", "forbidden", "window_taken"]);

  /**
   * One reconnecting connection to the hub.
   * opts: hello() -> hello object (called on every connect), onWelcome(w), onEvent(frame),
   * onStatus(online), onFatal(err), strictSeq (true for roles that see every event),
   * quietMs (probe /healthz after this long without a frame), maxDelayMs.
   */
  class HallConnection {
    constructor(opts) {
      this.opts = Object.assign({ strictSeq: false, refreshOnSeq: true, quietMs: 20000, maxDelayMs: 5000, requestTimeoutMs: 20000 }, opts);
      this.ws = null;
      this.online = false;
      this.seq = 0;
      this.attempt = 0;
      this.pending = new Map();
      this.lastFrameAt = Date.now();
      this.stopped = false;
      this.helloError = null;
      this.timer = null;
      this.probing = false;
      this.watchdog = null;
      this.lastStatus = null;
    }

    start() {
      this.stopped = false;
      this._connect();
      this.watchdog = setInterval(() => this._watch(), 2000);
      global.addEventListener("online", () => this.reconnectNow());
      let hiddenAt = null;
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState !== "visible") {
          hiddenAt = Date.now();
          return;
        }
        // A phone back from sleep: its socket may be dead without knowing it.
        const slept = hiddenAt !== null && Date.now() - hiddenAt > 10000;
        hiddenAt = null;
        if (!this.online) this.reconnectNow();
        else if (slept) this._softRefresh();
        else this._probe();
      });
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.timer);
      clearInterval(this.watchdog);
      if (this.ws) {
        const ws = this.ws;
        this.ws = null;
        try { ws.close(1000); } catch (e) { /* already closed */ }
      }
      this._status(false);
    }

    /** Drop the current socket (if any) and connect again at once. */
    reconnectNow() {
      if (this.stopped) return;
      clearTimeout(this.timer);
      this.attempt = 0;
      this._drop();
      this._connect();
    }

    _status(on) {
      this.online = on;
      if (this.lastStatus !== on) {
        this.lastStatus = on;
        if (this.opts.onStatus) this.opts.onStatus(on);
      }
    }

    _drop() {
      const ws = this.ws;
      this.ws = null;
      if (ws) {
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        try { ws.close(); } catch (e) { /* ignore */ }
      }
      this._status(false);
    }

    _connect() {
      if (this.stopped) return;
      let ws;
      try {
        ws = new WebSocket(wsUrl());
      } catch (e) {
        this._schedule();
        return;
      }
      this.ws = ws;
      this.helloError = null;
      ws.onopen = () => {
        const hello = Object.assign({ type: "hello", v: 1 }, this.opts.hello());
        ws.send(JSON.stringify(hello));
      };
      ws.onmessage = (ev) => {
        if (ws !== this.ws) return;
        this.lastFrameAt = Date.now();
        let f;
        try {
          f = JSON.parse(ev.data);
        } catch (e) {
          return;
        }
        if (!f || typeof f.type !== "string") return;
        this._frame(f);
      };
      ws.onclose = (ev) => {
        if (ws !== this.ws) return;
        this.ws = null;
        this._status(false);
        if (FATAL_CLOSE.has(ev.code) || (this.helloError && FATAL_HELLO.has(this.helloError.code))) {
          this.stopped = true;
          clearInterval(this.watchdog);
          if (this.opts.onFatal) this.opts.onFatal(this.helloError || { code: "bad_hello", message: "close " + ev.code });
          return;
        }
        this._schedule();
      };
      ws.onerror = () => { /* onclose follows */ };
    }

    _schedule() {
      if (this.stopped) return;
      clearTimeout(this.timer);
      const base = Math.min(this.opts.maxDelayMs, 250 * Math.pow(2, this.attempt));
      this.attempt = Math.min(this.attempt + 1, 10);
      const delay = Math.max(200, base * (0.5 + Math.random() * 0.5));
      this.timer = setTimeout(() => this._connect(), delay);
    }

    _frame(f) {
      if (f.type === "welcome") {
        this.seq = typeof f.seq === "number" ? f.seq : 0;
        this.attempt = 0;
        this._status(true);
        if (this.opts.onWelcome) this.opts.onWelcome(f);
        for (const p of this.pending.values()) this._send(p.frame);
        return;
      }
      if ((f.type === "ok" || f.type === "error") && f.re !== undefined && f.re !== null) {
        const p = this.pending.get(f.re);
        if (p) {
          this.pending.delete(f.re);
          clearTimeout(p.timer);
          if (f.type === "ok") p.resolve(f);
          else p.reject({ code: f.code, message: f.message });
        }
        return;
      }
      if (f.type === "error") {
        // An error with re null: a refused hello (the close follows) or a bad frame.
        if (!this.online) this.helloError = { code: f.code, message: f.message };
        return;
      }
      if (typeof f.seq === "number") {
        if (f.seq <= this.seq) return; // already in the snapshot or seen
        if (this.opts.strictSeq && f.seq !== this.seq + 1) {
          this.reconnectNow(); // a gap: take a fresh snapshot
          return;
        }
        this.seq = f.seq;
        if (f.type === "day_rolled") {
          if (this.opts.onEvent) this.opts.onEvent(f);
          this.reconnectNow(); // a new day: fresh snapshot
          return;
        }
      }
      if (this.opts.onEvent) this.opts.onEvent(f);
    }

    _send(frame) {
      if (this.ws && this.online && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify(frame));
        return true;
      }
      return false;
    }

    /** Send a command; resolves with the ok frame, rejects with {code, message}. */
    request(type, args, timeoutMs) {
      const id = newId();
      const frame = Object.assign({}, args || {}, { type: type, id: id });
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject({ code: this.online ? "timeout" : "offline" });
        }, timeoutMs || this.opts.requestTimeoutMs);
        this.pending.set(id, { frame, resolve, reject, timer });
        this._send(frame); // else sent after the next welcome, with the same id
      });
    }

    _watch() {
      if (this.stopped || !this.online) return;
      if (Date.now() - this.lastFrameAt >= this.opts.quietMs) this._probe();
    }

    /** Ask /healthz whether the hub is alive and whether events passed us by. */
    async _probe() {
      if (this.probing || this.stopped) return;
      this.probing = true;
      const ctl = new AbortController();
      const t = setTimeout(() => ctl.abort(), 4000);
      try {
        const r = await fetch("/healthz", { cache: "no-store", signal: ctl.signal });
        if (!r.ok) throw new Error("healthz " + r.status);
        const h = await r.json();
        this.lastFrameAt = Date.now();
        this.lastHealthSeq = h.seq;
        if (this.opts.refreshOnSeq && typeof h.seq === "number" && h.seq > this.seq && this.online) {
          // Events we did not get (maybe only ones not meant for us): a fresh snapshot settles it.
          // Not for citizens: they only ever see their own ticket's events.
          this._softRefresh();
        }
      } catch (e) {
        // The hub does not answer: show it and try again from scratch.
        if (this.online) this.reconnectNow();
      } finally {
        clearTimeout(t);
        this.probing = false;
      }
    }

    /** Take a fresh snapshot on a second socket, then swap, so the page never flickers to stale. */
    _softRefresh() {
      if (this.refreshing || this.stopped) return;
      this.refreshing = true;
      let ws;
      try {
        ws = new WebSocket(wsUrl());
      } catch (e) {
        this.refreshing = false;
        return;
      }
      const done = () => { this.refreshing = false; };
      const giveUp = setTimeout(() => { try { ws.close(); } catch (e) { /* ignore */ } done(); }, 5000);
      ws.onopen = () => ws.send(JSON.stringify(Object.assign({ type: "hello", v: 1 }, this.opts.hello())));
      ws.onmessage = (ev) => {
        let f;
        try { f = JSON.parse(ev.data); } catch (e) { return; }
        if (!f || f.type !== "welcome") return;
        clearTimeout(giveUp);
        const old = this.ws;
        if (old) { old.onopen = old.onmessage = old.onclose = old.onerror = null; try { old.close(); } catch (e) { /* ignore */ } }
        // Adopt the new socket as the live one.
        this.ws = ws;
        const self = this;
        ws.onmessage = (e2) => {
          if (ws !== self.ws) return;
          self.lastFrameAt = Date.now();
          let g;
          try { g = JSON.parse(e2.data); } catch (x) { return; }
          if (g && typeof g.type === "string") self._frame(g);
        };
        ws.onclose = (e3) => {
          if (ws !== self.ws) return;
          self.ws = null;
          self._status(false);
          if (FATAL_CLOSE.has(e3.code)) { self.stopped = true; if (self.opts.onFatal) self.opts.onFatal({ code: "auth_failed" }); return; }
          self._schedule();
        };
        ws.onerror = () => {};
        done();
        this.lastFrameAt = Date.now();
        this._frame(f);
      };
      ws.onclose = () => { clearTimeout(giveUp); done(); };
    }
  }

  /** Today's hours as the welcome's `state.today` gives them: [zh, en] (empty in a hall always open). */
  function hoursText(today) {
    if (!today || !Array.isArray(today.hours)) return ["", ""];
    if (!today.hours.length) return ["今日不办公", "Closed today"];
    let zh = "今日办公 " + today.hours.join("、");
    let en = "Open today " + today.hours.join(", ");
    if (today.issuing_until) {
      zh += " · " + today.issuing_until + " 停止取号";
      en += " · tickets until " + today.issuing_until;
    }
    return [zh, en];
  }

  /** The supervisor's closing-time forecast (`closing` of the welcome and `metrics` frames): [zh, en]. */
  function closingText(c, tz) {
    if (!c) return ["", ""];
    const close = clockText(parseIso(c.closes_at), tz, false);
    const fin = c.finish_at ? clockText(parseIso(c.finish_at), tz, false) : null;
    let zh = close + " 闭厅时预计仍有 " + c.waiting_at_close + " 人等候";
    let en = "At closing (" + close + ") about " + c.waiting_at_close + " still waiting";
    if (fin) {
      zh += "，预计 " + fin + " 办完";
      en += ", all done by about " + fin;
    }
    if (c.unserved) {
      zh += "；其中 " + c.unserved + " 人的事项暂无窗口开放";
      en += "; " + c.unserved + " wait for a service no open window serves";
    }
    return [zh, en];
  }

  global.Hall = { newId, wsUrl, el, setText, show, parseIso, clockText, dateText, durText, rateText, getPath, numberOfId, compareQueue, nameOf, errorText, errorBoth, hoursText, closingText, HallConnection };
})(window);
