/* voice.js: the lobby board's announcement queue (speechSynthesis, offline voices only).
 *
 * Announcements never overlap: one queue, one at a time, each step awaited
 * (chime, Chinese, then English) with a time limit so a voice that never
 * reports its end cannot block the queue. A recall is announced again; a
 * call that waited too long in the queue, or whose ticket has moved on
 * (started, finished, called elsewhere), is dropped rather than announced
 * late. Only local (offline) voices are used: nothing is fetched from the
 * internet, and the board keeps working when it is down.
 */
"use strict";

(function (global) {
  const ZH_DIGITS = "零一二三四五六七八九";
  const EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

  /** A ticket number spelled for a Chinese voice: "A012" -> "A 零 一 二". */
  function spellZh(number) {
    return Array.from(String(number)).map((c) => (c >= "0" && c <= "9" ? ZH_DIGITS[Number(c)] : c)).join(" ");
  }

  /** A ticket number spelled for an English voice: "A012" -> "A, zero one two". */
  function spellEn(number) {
    return Array.from(String(number)).map((c) => (c >= "0" && c <= "9" ? EN_DIGITS[Number(c)] : c + ",")).join(" ");
  }

  /** The texts of one announcement: [{lang, text}, ...]. */
  function texts(call, english) {
    const out = [{ lang: "zh-CN", text: "请 " + spellZh(call.number) + " 号，到 " + call.window + " 号窗口办理" }];
    if (english) out.push({ lang: "en-US", text: "Ticket " + spellEn(call.number) + ", please go to window " + call.window });
    return out;
  }

  class Announcer {
    /**
     * opts: enabled (bool), english (bool), maxAgeMs (drop calls older than this),
     * isCurrent(call) -> bool (false: the ticket moved on, drop), onNeedsActivation().
     */
    constructor(opts) {
      this.opts = Object.assign({ enabled: true, english: true, maxAgeMs: 45000 }, opts);
      this.queue = [];
      this.busy = false;
      this.audio = null;
      this.log = []; // what was said, for the operator and the tests: {lang, text, start, end}
      this.synth = global.speechSynthesis || null;
      if (this.synth && typeof this.synth.getVoices === "function") {
        this.synth.getVoices(); // starts loading the list in Chromium
      }
    }

    /** Unlock audio and speech after a user gesture (browsers block them before one). */
    activate() {
      try {
        if (!this.audio && global.AudioContext) this.audio = new global.AudioContext();
        if (this.audio && this.audio.state === "suspended") this.audio.resume();
      } catch (e) { /* no audio */ }
      if (this.synth) {
        try {
          const u = new global.SpeechSynthesisUtterance(" ");
          u.volume = 0;
          this.synth.speak(u);
        } catch (e) { /* no speech */ }
      }
    }

    /** Queue a call ({ticket, number, window, recall, receivedAt}). */
    enqueue(call) {
      if (!this.opts.enabled) return;
      // One announcement per ticket and window in the queue: a recall of a call not yet said merges.
      this.queue = this.queue.filter((c) => !(c.ticket === call.ticket && c.window === call.window));
      this.queue.push(Object.assign({ receivedAt: Date.now() }, call));
      if (!this.busy) this._run();
    }

    async _run() {
      this.busy = true;
      try {
        while (this.queue.length) {
          const call = this.queue.shift();
          if (Date.now() - call.receivedAt > this.opts.maxAgeMs) continue; // stale
          if (this.opts.isCurrent && !this.opts.isCurrent(call)) continue; // moved on
          await this._chime();
          for (const t of texts(call, this.opts.english)) await this._say(t.text, t.lang);
          await sleep(600);
        }
      } finally {
        this.busy = false;
      }
    }

    _chime() {
      const ctx = this.audio;
      if (!ctx || ctx.state !== "running") return Promise.resolve();
      try {
        const t0 = ctx.currentTime + 0.02;
        [[880, 0], [660, 0.35]].forEach(([f, dt]) => {
          const o = ctx.createOscillator();
          const g = ctx.createGain();
          o.type = "sine";
          o.frequency.value = f;
          g.gain.setValueAtTime(0.0001, t0 + dt);
          g.gain.exponentialRampToValueAtTime(0.4, t0 + dt + 0.03);
          g.gain.exponentialRampToValueAtTime(0.0001, t0 + dt + 0.33);
          o.connect(g).connect(ctx.destination);
          o.start(t0 + dt);
          o.stop(t0 + dt + 0.35);
        });
      } catch (e) { /* ignore */ }
      return sleep(750);
    }

    _voiceFor(lang) {
      const voices = (this.synth && this.synth.getVoices && this.synth.getVoices()) || [];
      if (!voices.length) return { voice: null, ok: true }; // list not loaded (or none): let the platform choose
      const pre = lang.slice(0, 2).toLowerCase();
      const match = (v, exact) => {
        const l = String(v.lang || "").replace("_", "-").toLowerCase();
        return exact ? l === lang.toLowerCase() : l.startsWith(pre) || (pre === "zh" && l.startsWith("cmn"));
      };
      const local = voices.filter((v) => v.localService !== false);
      const v = local.find((x) => match(x, true)) || local.find((x) => match(x, false));
      return v ? { voice: v, ok: true } : { voice: null, ok: false }; // only online voices: stay silent
    }

    _say(text, lang) {
      const entry = { lang, text, start: Date.now(), end: null };
      this.log.push(entry);
      if (this.log.length > 200) this.log.shift();
      const synth = this.synth;
      if (!synth || !global.SpeechSynthesisUtterance) {
        entry.end = Date.now();
        return sleep(0);
      }
      const pick = this._voiceFor(lang);
      if (!pick.ok) {
        entry.end = Date.now();
        return sleep(0);
      }
      return new Promise((resolve) => {
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          entry.end = Date.now();
          clearTimeout(limit);
          resolve();
        };
        // A voice that never reports its end must not block the queue.
        const limit = setTimeout(() => {
          try { synth.cancel(); } catch (e) { /* ignore */ }
          finish();
        }, 2500 + text.length * 250);
        try {
          const u = new global.SpeechSynthesisUtterance(text);
          u.lang = lang;
          if (pick.voice) u.voice = pick.voice;
          u.rate = lang.startsWith("zh") ? 0.9 : 0.95;
          u.onend = () => {
            if (this.opts.onSpoke) this.opts.onSpoke(); // speech works: no need to ask for a click
            finish();
          };
          u.onerror = (ev) => {
            if (ev && ev.error === "not-allowed" && this.opts.onNeedsActivation) this.opts.onNeedsActivation();
            finish();
          };
          synth.speak(u);
        } catch (e) {
          finish();
        }
      });
    }
  }

  function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  global.HallVoice = { Announcer, texts, spellZh, spellEn };
})(window);
