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

  const STATE_TEXT = {
    open: "open: waiting for signatures",
    executed: "executed: signed by the required parties",
    "in-force": "in force: signed and ratified",
    cancelled: "cancelled by its submitter",
    superseded: "superseded by an amendment",
    annulled: "annulled by the parties",
    terminated: "terminated: too many parties withdrew",
  };

  function render(v) {
    const verdict = $("verdict");
    let heading, summary, kind;
    if (v.verdict === "disputed") {
      kind = "bad";
      heading = "✗ Disputed";
      summary = "Records of this document disagree: one was annulled or terminated by its own signatories while another reads as valid. See both below before relying on it.";
    } else if (v.verified) {
      kind = "ok";
      heading = "✓ Notarised and valid";
      summary = "This exact document is notarised and signed by the required parties with keys that were authorised when they signed.";
    } else if (v.notarised) {
      kind = "warn";
      heading = "⚠ Notarised, but not valid";
      summary = "This document is on the ledger, but no record of it passes verification: see the reasons below.";
    } else {
      kind = "bad";
      heading = "✗ Not notarised";
      summary = "This ledger holds no record of this document. Any change to a file, even one character, changes its digest: check that you have the exact file.";
    }
    verdict.className = "verdict " + kind;
    $("verdict-heading").textContent = heading;
    $("verdict-summary").textContent = summary;

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

    const records = $("records");
    records.replaceChildren(...v.records.map(renderRecord));
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

  function renderRecord(rv) {
    const r = rv.record;
    const dl = el("dl", { class: "facts" });
    const add = (k, ...vals) => dl.append(el("dt", {}, k), el("dd", {}, ...vals));
    add("State", STATE_TEXT[r.status] || r.status);
    add("Kind", r.kind);
    add("Parties", r.parties.join(", ") + " — " + r.quorum + " of " + r.parties.length + " signatures required");
    add("Bound now", rv.bound.length ? rv.bound.join(", ") : "nobody");
    if (rv.unsigned.length) add("Named, never signed", rv.unsigned.join(", "));
    if (rv.withdrawn.length) add("Withdrew", rv.withdrawn.join(", "));
    if (r.ratificationRequired) add("Ratification", "required (" + r.ratifications + " of " + r.quorum + ")");
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
        el("td", { "data-label": "Signer" }, el("code", { class: "hash" }, a.signer)),
        el("td", { "data-label": "Time (UTC)" }, a.time.replace("T", " ").replace("Z", "")),
        el("td", { "data-label": "Health" }, el("span", { class: "health " + (a.valid ? "good" : "poor") }, a.valid ? "✓ " + a.health : "✗ " + a.health)),
        el("td", { "data-label": "Transaction" }, el("span", {},
          el("code", { class: "hash", title: a.transaction || "" }, (a.transaction || "").slice(0, 18) + "…"), " ",
          el("span", { class: "muted" }, "(" + a.confirmations + (a.confirmations === 1 ? " confirmation)" : " confirmations)")))),
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
    return el("article", { class: "record " + (rv.ok ? "ok" : "bad") },
      el("h3", {}, "Record notarised by " + r.submitter + " ", el("span", { class: "badge state-" + r.status }, r.status)),
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
