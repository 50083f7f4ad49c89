/* The verifier page's shared helpers: elements, dates, short hex values with copy, party names.
 *
 * Everything shown from the API goes through text nodes, never HTML. Party display names come from
 * GET /v1/parties/{code}, asked once per code per page (a small cache); the page waits for them a
 * moment only, and a party the service cannot name (or names late) stays a code until it does.
 */
"use strict";

(function () {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    node.append(...nodes(children));
    return node;
  }

  /** Text and nodes (nested arrays allowed) as nodes; null and undefined are skipped. */
  function nodes(parts) {
    return [].concat(parts).flat(Infinity).filter((p) => p !== null && p !== undefined)
      .map((p) => (p instanceof Node ? p : document.createTextNode(String(p))));
  }

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  /** A date in words (3 March 2026), the exact UTC time in its title. */
  function when(iso) {
    const d = new Date(iso);
    if (!iso || isNaN(d)) return iso || "an unknown date";
    return el("time", { datetime: iso, title: utc(iso) },
      d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear());
  }

  const utc = (iso) => (iso || "").replace("T", " ").replace("Z", " UTC");
  const count = (n) => Number(n).toLocaleString("en-GB");

  /** "A", "A and B", "A, B and C" of texts or nodes, as a list of parts. */
  function joined(list) {
    const out = [];
    list.forEach((item, i) => {
      if (i) out.push(i === list.length - 1 ? " and " : ", ");
      out.push(item);
    });
    return out;
  }

  const names = (list) => joined(list).join("");

  function shortHex(value) {
    const v = value || "";
    return v.length > 14 ? v.slice(0, 6) + "…" + v.slice(-4) : v;
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(text); return true; } catch (err) { /* fall back */ }
    }
    const area = el("textarea", { readonly: "", class: "copy-buffer", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    let done = false;
    try { done = document.execCommand("copy"); } catch (err) { done = false; }
    area.remove();
    return done;
  }

  /** A long hex value shortened (0x1234…abcd), the full value in its title, with a copy button. */
  function hexChip(value, what) {
    if (!value) return el("span", { class: "muted" }, "—");
    const button = el("button", { type: "button", class: "copy", "aria-label": "Copy " + what + " " + value, title: "Copy " + what }, "Copy");
    button.addEventListener("click", async () => {
      const ok = await copyText(value);
      button.textContent = ok ? "Copied" : "Select to copy";
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
    return el("span", { class: "hexchip" }, el("code", { class: "hash short", title: value }, shortHex(value)), button);
  }

  // ------------------------------------------------------------------ party names

  const partyNames = new Map(); // code → Promise of the display name (null: unknown)

  function partyName(code) {
    if (!partyNames.has(code)) {
      partyNames.set(code, fetch("/v1/parties/" + encodeURIComponent(code), { headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .then((body) => (body && typeof body.name === "string" && body.name.trim()) || null)
        .catch(() => null));
    }
    return partyNames.get(code);
  }

  /** Ask the names of `codes` before drawing, waiting at most `ms`: the result is then drawn once, names
   * included, instead of shifting when they arrive; a slow answer only fills them in later. */
  function preloadNames(codes, ms) {
    const all = Promise.all(Array.from(new Set(codes)).map(partyName));
    return Promise.race([all, new Promise((resolve) => setTimeout(resolve, ms))]);
  }

  /** A party code; `full` also shows its display name beside it once known: FRA (French Republic). */
  function party(code, full) {
    return el("span", { class: "party", "data-party": code, "data-full": full ? "yes" : "no" }, code);
  }

  const parties = (codes, full) => joined(codes.map((c) => party(c, full)));

  /** Fill in the display names of the parties shown under `root` (each code asked at most once). */
  async function fillPartyNames(root) {
    const spans = Array.from(root.querySelectorAll("[data-party]:not([data-named])"));
    const codes = Array.from(new Set(spans.map((s) => s.dataset.party)));
    const found = new Map(await Promise.all(codes.map(async (c) => [c, await partyName(c)])));
    for (const s of spans) {
      const name = found.get(s.dataset.party);
      if (!name || s.dataset.named) continue;
      s.dataset.named = "yes";
      s.title = name;
      if (s.dataset.full === "yes") s.append(el("span", { class: "party-name" }, " (" + name + ")"));
    }
  }

  const ICON = { ok: "✓ ", warn: "⚠ ", bad: "✗ " };
  const TONE_ORDER = { ok: 0, warn: 1, bad: 2 };

  window.NotaryDom = {
    el, nodes, when, utc, count, joined, names, shortHex, hexChip, party, parties, preloadNames, fillPartyNames, ICON,
    TONE_ORDER,
  };
})();
