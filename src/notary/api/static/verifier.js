/* The verifier page: hash a file in the browser, ask GET /v1/verify/{digest}, show the verdict.
 *
 * The file never leaves the machine: WebCrypto hashes it where the page is a secure context
 * (https or localhost); elsewhere (plain http on an intranet) sha256.js does, in slices.
 * Everything shown from the API or the file name goes through textContent.
 */
"use strict";

(function () {
  const SLICE = 4 * 1024 * 1024;
  const SUBTLE_MAX = 256 * 1024 * 1024; // beyond this, hash in slices instead of one buffer

  const { Sha256, hex, sha256Bytes } = window.NotarySha256;

  async function hashFile(file, progress) {
    if (window.isSecureContext && window.crypto && crypto.subtle && file.size <= SUBTLE_MAX) {
      return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer())));
    }
    const s = new Sha256();
    for (let at = 0; at < file.size; at += SLICE) {
      s.update(new Uint8Array(await file.slice(at, at + SLICE).arrayBuffer()));
      progress(Math.min(at + SLICE, file.size) / file.size);
    }
    return hex(s.digest());
  }

  // ------------------------------------------------------------------ page

  const $ = (id) => document.getElementById(id);
  let lastResult = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function status(text, kind) {
    const s = $("status");
    s.textContent = text;
    s.className = "status" + (kind ? " " + kind : "");
  }

  function sizeText(n) {
    const units = ["bytes", "KiB", "MiB", "GiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  async function verifyFile(file) {
    if (!file) return;
    status("Hashing " + file.name + " in this browser…");
    let digest;
    try {
      digest = await hashFile(file, (f) => status("Hashing " + file.name + "… " + Math.round(f * 100) + " %"));
    } catch (err) {
      status("This file could not be read: " + err.message, "error");
      return;
    }
    await verifyDigest(digest, { name: file.name, size: file.size });
  }

  async function verifyDigest(digest, file) {
    status("Asking the ledger about " + digest.slice(0, 16) + "…");
    let response, body;
    try {
      response = await fetch("/v1/verify/" + digest, { headers: { Accept: "application/json" } });
      body = await response.json();
    } catch (err) {
      status("The verification service could not be reached. Try again later.", "error");
      return;
    }
    if (!response.ok) {
      status((body && body.detail) || "The verification service answered with an error (" + response.status + ").", "error");
      return;
    }
    lastResult = Object.assign({}, body, { file: file || null });
    render(lastResult);
    status("");
  }

  // ------------------------------------------------------------------ wording
  //
  // One plain wording per state, shared by the heading and each record. It follows the state the
  // record's valid acts give (effectiveStatus), not what the chain still reads while a void is pending.

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  function when(iso) {
    const d = new Date(iso);
    if (!iso || isNaN(d)) return iso || "an unknown date";
    return el("time", { datetime: iso, title: iso.replace("T", " ").replace("Z", " UTC") },
      d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear());
  }

  function names(list) {
    if (list.length <= 1) return list.join("");
    return list.slice(0, -1).join(", ") + " and " + list[list.length - 1];
  }

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

  function withdrawalTimes(rv) {
    const last = {};
    for (const a of rv.record.attestations) {
      if (a.intent === "withdrawal" && a.valid && rv.withdrawn.includes(a.party) && (!last[a.party] || a.time > last[a.party])) {
        last[a.party] = a.time;
      }
    }
    return last;
  }

  function lastActTime(rv, intent) {
    const times = rv.record.attestations.filter((a) => a.intent === intent && a.valid).map((a) => a.time).sort();
    return times.length ? times[times.length - 1] : rv.record.updatedAt;
  }

  /** The wording of a record's state: { parts (text and nodes), tone: ok | warn | bad }. */
  function wording(rv) {
    const r = rv.record;
    const state = rv.effectiveStatus || r.status;
    const pendingRatification = r.ratificationRequired && state === "executed";
    const awaiting = rv.bound.filter((p) => !rv.ratifiedBy.includes(p));
    if (state === "executed" || state === "in-force") {
      if (rv.withdrawn.length && rv.bound.length >= r.quorum) {
        const times = withdrawalTimes(rv);
        const parts = ["Withdrawn by "];
        rv.withdrawn.forEach((p, i) => {
          if (i) parts.push(i === rv.withdrawn.length - 1 ? " and " : ", ");
          parts.push(p);
          if (times[p]) parts.push(" on ", when(times[p]));
        });
        if (pendingRatification) parts.push("; awaiting ratification by " + (names(awaiting) || "nobody bound"));
        return { parts, tone: rv.ok ? "warn" : "bad" };
      }
      if (pendingRatification) {
        return { parts: ["Signed; awaiting ratification by " + (names(awaiting) || "nobody bound")], tone: rv.ok ? "warn" : "bad" };
      }
      return { parts: ["Signed and in force"], tone: rv.ok ? "ok" : "bad" };
    }
    switch (state) {
      case "open":
        return { parts: [rv.unsigned.length ? "Open: awaiting signatures of " + names(rv.unsigned) : "Open: awaiting signatures"], tone: "warn" };
      case "superseded": {
        const by = r.links.supersededBy;
        if (!by) return { parts: ["Superseded"], tone: "warn" };
        return { parts: ["Superseded by ", el("a", { href: "#" + by.digest, title: by.digest }, "the amendment notarised by " + by.submitter)], tone: "warn" };
      }
      case "terminated":
        return { parts: ["Terminated on ", when(lastActTime(rv, "withdrawal"))], tone: "bad" };
      case "annulled":
        return { parts: ["Annulled on ", when(r.updatedAt)], tone: "bad" };
      case "cancelled":
        return { parts: ["Cancelled"], tone: "bad" };
      case "void":
        return { parts: ["Void (notarised with a compromised key)"], tone: "bad" };
      default:
        return { parts: [state], tone: "bad" };
    }
  }

  function pendingVoidNote(rv) {
    const state = rv.effectiveStatus || rv.record.status;
    if (state === rv.record.status) return null;
    return el("p", { class: "chain-note" }, "the chain still reads " + rv.record.status + " until someone runs ",
      el("code", {}, "notary void"));
  }

  // Which record speaks for a document that no record verifies: the one closest to valid.
  const RANK = ["in-force", "executed", "open", "superseded", "terminated", "annulled", "cancelled", "void"];
  const rank = (rv) => { const i = RANK.indexOf(rv.effectiveStatus || rv.record.status); return i < 0 ? RANK.length : i; };
  const ICON = { ok: "✓ ", warn: "⚠ ", bad: "✗ " };
  const TONE_ORDER = { ok: 0, warn: 1, bad: 2 };

  function render(v) {
    const verdict = $("verdict");
    let heading, summary, kind, note = null;
    if (v.verdict === "disputed") {
      kind = "bad";
      const disputing = v.disputedBy.map((id) => v.records.find((rv) => rv.recordId === id)).filter(Boolean);
      heading = ["Disputed: "];
      disputing.forEach((rv, i) => {
        if (i) heading.push("; ");
        const w = wording(rv).parts.map((p) => (typeof p === "string" ? p.toLowerCase() : p));
        heading.push(rv.submitter + "'s record was ", ...w);
      });
      const passing = v.records.filter((rv) => rv.ok).map((rv) => rv.submitter);
      summary = ["Records of this document disagree. ",
        ...disputing.flatMap((rv) => ["The record ", el("code", { class: "hash", title: rv.recordId }, shortHex(rv.recordId)),
          " notarised by " + rv.submitter + " was undone by its own signatories (" + (names(rv.bound.concat(rv.withdrawn)) || rv.submitter) + "). "]),
        passing.length ? "Yet the record notarised by " + names(passing) + " reads as valid. " : "",
        "See every record below before relying on this document."];
    } else if (v.notarised) {
      const pool = v.records.filter((rv) => rv.ok);
      const chosen = (pool.length ? pool : v.records.slice()).sort((a, b) => rank(a) - rank(b))[0];
      const w = wording(chosen);
      kind = v.verified ? w.tone : (w.tone === "ok" ? "warn" : w.tone);
      heading = v.verified || !["executed", "in-force"].includes(chosen.effectiveStatus) ? w.parts : ["Notarised, but not valid"];
      note = pendingVoidNote(chosen);
      if (v.verified) {
        summary = "This exact document is notarised and binds " + names(chosen.bound) +
          ": signed with keys that were authorised when they signed.";
        if (chosen.withdrawn.length) summary += " " + names(chosen.withdrawn) + " signed, then withdrew; the record still has its quorum (" + chosen.record.quorum + ").";
        if (chosen.record.ratificationRequired && chosen.effectiveStatus !== "in-force") summary += " It is signed but not yet in force: ratification is pending.";
      } else {
        summary = "This document is on the ledger, but no record of it verifies: see the reasons below.";
      }
    } else {
      kind = "bad";
      heading = ["Not notarised"];
      summary = "This ledger holds no record of this document. Any change to a file, even one character, changes its digest: check that you have the exact file.";
    }
    verdict.className = "verdict " + kind;
    $("verdict-heading").replaceChildren(ICON[kind], ...heading.map((p) => (p instanceof Node ? p : document.createTextNode(p))));
    $("verdict-summary").replaceChildren(...[].concat(summary).map((p) => (p instanceof Node ? p : document.createTextNode(p))));
    const verdictNote = $("verdict-note");
    verdictNote.replaceChildren(...(note ? Array.from(note.childNodes) : []));
    verdictNote.hidden = !note;

    const facts = $("facts");
    facts.replaceChildren();
    const fact = (k, ...vals) => facts.append(el("dt", {}, k), el("dd", {}, ...vals));
    if (v.file) fact("File", v.file.name + " (" + sizeText(v.file.size) + ")");
    fact("SHA-256", el("code", { class: "hash" }, v.digest));
    fact("Ledger", "chain " + v.chain.chainId + ", contract ", el("code", { class: "hash" }, v.chain.ledger));
    fact("Checked", v.chain.chainTime.replace("T", " ").replace("Z", " UTC") + " (block " + v.chain.block + ")");

    const link = $("record-link");
    link.hidden = !v.notarised;
    link.href = "/v1/records/" + v.digest;
    // The portable receipt verifies offline (`notary verify FILE --receipt R --offline`); with several
    // records each record offers its own, below.
    const receipt = $("receipt-link");
    receipt.hidden = v.records.length !== 1;
    if (v.records.length === 1) {
      receipt.href = receiptUrl(v.digest, v.records[0].record.submitter);
      receipt.setAttribute("download", v.digest.slice(0, 16) + ".receipt.json");
    }

    // A record's colour never reads greener than the verdict above it.
    const cap = (tone) => (TONE_ORDER[tone] < TONE_ORDER[kind] ? (kind === "ok" ? "ok" : "warn") : tone);
    const records = $("records");
    records.replaceChildren(...v.records.map((rv) => renderRecord(rv, cap, v.disputedBy.includes(rv.recordId))));
    $("result").hidden = false;
    $("verdict-heading").focus();
  }

  function receiptUrl(digest, submitter) {
    return "/v1/records/" + digest + "/receipt?submitter=" + encodeURIComponent(submitter);
  }

  function linkTo(target, label) {
    if (!target) return null;
    const a = el("a", { href: "#" + target.digest }, label + " record by " + target.submitter + " (" + target.status + ")");
    return el("dd", {}, a, " ", el("code", { class: "hash" }, target.digest));
  }

  function renderRecord(rv, cap, disputing) {
    const r = rv.record;
    const w = wording(rv);
    // Not ok is never green; ok is green only under a green verdict.
    const tone = cap(rv.ok ? w.tone : (w.tone === "ok" ? "bad" : w.tone));
    const dl = el("dl", { class: "facts" });
    const add = (k, ...vals) => dl.append(el("dt", {}, k), el("dd", {}, ...vals));
    add("Kind", r.kind);
    add("Parties", r.parties.join(", ") + " — " + r.quorum + " of " + r.parties.length + " signatures required");
    add("Bound now", rv.bound.length ? rv.bound.join(", ") : "nobody");
    if (rv.unsigned.length) add("Named, never signed", rv.unsigned.join(", "));
    if (rv.withdrawn.length) add("Withdrew", rv.withdrawn.join(", "));
    if (r.ratificationRequired) {
      add("Ratification", "required — ratified by " + (rv.ratifiedBy.length ? rv.ratifiedBy.join(", ") : "nobody yet") +
        " (" + r.ratifications + " of " + r.quorum + ")");
    }
    add("Notarised", r.createdAt.replace("T", " ").replace("Z", " UTC") + " by " + r.submitter);
    add("Record id", el("code", { class: "hash" }, r.recordId));
    if (r.links.supersedes) { dl.append(el("dt", {}, "Amends")); dl.append(linkTo(r.links.supersedes, "the")); }
    if (r.links.supersededBy) { dl.append(el("dt", {}, "Superseded by")); dl.append(linkTo(r.links.supersededBy, "the")); }

    const list = (items, cls, title) =>
      items.length ? el("div", { class: cls }, el("h4", {}, title), el("ul", {}, ...items.map((t) => el("li", {}, t)))) : null;

    const rows = r.attestations.map((a) =>
      el("tr", { class: a.valid ? "" : "invalid" },
        el("td", { "data-label": "Party" }, el("strong", {}, a.party)),
        el("td", { "data-label": "Act" }, a.intent + (a.reason ? " — " + a.reason : "")),
        el("td", { "data-label": "Signer" }, hexChip(a.signer, a.party + "'s signer address")),
        el("td", { "data-label": "Time (UTC)" }, a.time.replace("T", " ").replace("Z", "")),
        el("td", { "data-label": "Health" }, el("span", { class: "health " + (a.valid ? "good" : "poor") }, a.valid ? "✓ " + a.health : "✗ " + a.health)),
        el("td", { "data-label": "Transaction" }, el("span", {},
          hexChip(a.transaction, "transaction hash"), " ",
          el("span", { class: "muted nowrap" }, "(" + a.confirmations + (a.confirmations === 1 ? " confirmation)" : " confirmations)")))),
      ));
    const table = el("table", { class: "acts" },
      el("caption", {}, "Signatures and other acts on this record"),
      el("thead", {}, el("tr", {}, ...["Party", "Act", "Signer", "Time (UTC)", "Health", "Transaction"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows));

    const receipt = el("a", {
      href: receiptUrl(r.digest, r.submitter),
      download: r.digest.slice(0, 16) + "-" + r.submitter + ".receipt.json",
      class: "receipt",
    }, "Download the receipt of " + r.submitter + "'s record");
    const state = rv.effectiveStatus || r.status;
    return el("article", { class: "record " + tone, id: "record-" + rv.recordId },
      el("h3", {}, "Record notarised by " + r.submitter + " ", el("span", { class: "badge tone-" + tone }, state)),
      el("p", { class: "record-state tone-text-" + tone }, ICON[tone], ...w.parts,
        disputing ? " — this record disputes the document" : null),
      pendingVoidNote(rv),
      dl,
      el("p", { class: "receipt-line" }, receipt,
        el("span", { class: "muted" }, " — verifies offline: notary verify FILE --receipt R --offline")),
      list(rv.reasons, "reasons", "Why it does not verify"),
      list(rv.warnings, "warnings", "Warnings"),
      el("div", { class: "table-wrap" }, table));
  }

  function download() {
    if (!lastResult) return;
    const blob = new Blob([JSON.stringify(lastResult, null, 2) + "\n"], { type: "application/json" });
    const a = el("a", { href: URL.createObjectURL(blob), download: "verification-" + lastResult.digest.slice(0, 16) + ".json" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  function fromHash() {
    const h = location.hash.replace(/^#/, "");
    if (/^(0x)?[0-9a-fA-F]{64}$/.test(h)) verifyDigest(h.replace(/^0x/, "").toLowerCase(), null);
  }

  function init() {
    const zone = $("dropzone"), input = $("file");
    input.addEventListener("change", () => verifyFile(input.files[0]));
    ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => zone.addEventListener(t, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) verifyFile(f);
    });
    $("digest-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const value = $("digest").value.trim();
      if (!/^(0x)?[0-9a-fA-F]{64}$/.test(value)) {
        status("A SHA-256 digest is 64 hexadecimal digits (0-9, a-f).", "error");
        $("digest").setAttribute("aria-invalid", "true");
        return;
      }
      $("digest").removeAttribute("aria-invalid");
      const digest = value.replace(/^0x/, "").toLowerCase();
      if (location.hash === "#" + digest) fromHash();
      else location.hash = digest; // a shareable address; hashchange verifies it
    });
    $("download").addEventListener("click", download);
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  window.notaryVerifier = { sha256Bytes, hashFile };
  document.addEventListener("DOMContentLoaded", init);
})();
