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

  const { el, nodes, names, shortHex, parties, preloadNames, fillPartyNames, ICON, TONE_ORDER } = window.NotaryDom;
  const { wording, pendingVoidNote, rank, spokesman, disputes, receiptUrl, renderRecord } = window.NotaryRecords;
  const published = window.NotaryPublished;
  const $ = (id) => document.getElementById(id);
  let lastResult = null;

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
    lastResult = Object.assign({ batches: [], instrumentTexts: [] }, body, { file: file || null });
    await preloadNames(partiesOf(lastResult), NAMES_WAIT);
    render(lastResult);
    status("");
  }

  const NAMES_WAIT = 800; // ms the verdict waits for party names (it is drawn without them after that)

  /** Every party code the answer shows. */
  function partiesOf(v) {
    const records = v.records.concat(...v.instrumentTexts.map((t) => t.records));
    return records.flatMap((rv) => [rv.submitter, ...rv.record.parties, ...rv.record.attestations.map((a) => a.party)])
      .concat(v.batches.map((b) => b.party));
  }

  // ------------------------------------------------------------------ the verdict
  //
  // What speaks for the document: its own records first, then the published instruments listing it
  // as a text or annex, then the published batches holding it; a passing one before a failing one.

  /** "Disputed: FRA's record was annulled on …", and why, for records undone by their signatories. */
  function disputedVerdict(records, disputing, prefix) {
    const heading = ["Disputed: "].concat(prefix || []);
    disputing.forEach((rv, i) => {
      if (i) heading.push("; ");
      const w = wording(rv).parts.map((p) => (typeof p === "string" ? p.toLowerCase() : p));
      heading.push(rv.submitter + "'s record was ", ...w);
    });
    const passing = records.filter((rv) => rv.ok).map((rv) => rv.submitter);
    const summary = [prefix ? "Records of the instrument this document belongs to disagree. " : "Records of this document disagree. ",
      ...disputing.flatMap((rv) => ["The record ", el("code", { class: "hash", title: rv.recordId }, shortHex(rv.recordId)),
        " notarised by " + rv.submitter + " was undone by its own signatories (" + (names(rv.bound.concat(rv.withdrawn)) || rv.submitter) + "). "]),
      passing.length ? "Yet the record notarised by " + names(passing) + " reads as valid. " : "",
      "See every record below before relying on this document."];
    return { heading, summary, kind: "bad", note: null };
  }

  function recordVerdict(v, chosen) {
    const w = wording(chosen);
    const kind = v.verified ? w.tone : (w.tone === "ok" ? "warn" : w.tone);
    const heading = v.verified || !["executed", "in-force"].includes(chosen.effectiveStatus) ? w.parts : ["Notarised, but not valid"];
    let summary;
    if (v.verified) {
      summary = ["This exact document is notarised and binds ", parties(chosen.bound, true),
        ": signed with keys that were authorised when they signed."];
      if (chosen.withdrawn.length) summary.push(" " + names(chosen.withdrawn) + " signed, then withdrew; the record still has its quorum (" + chosen.record.quorum + ").");
      if (chosen.record.ratificationRequired && chosen.effectiveStatus !== "in-force") summary.push(" It is signed but not yet in force: ratification is pending.");
    } else {
      summary = ["This document is on the ledger, but no record of it verifies: see the reasons below."];
    }
    return { heading, summary, kind, note: pendingVoidNote(chosen) };
  }

  function textVerdict(t) {
    const w = published.textWording(t);
    return { heading: w.parts, summary: published.textSummary(t), kind: w.tone, note: w.rv ? pendingVoidNote(w.rv) : null };
  }

  function batchVerdict(b) {
    const h = published.batchHeading(b);
    return { heading: h.parts, summary: published.batchSummary(b), kind: h.tone, note: null };
  }

  function verdictOf(v) {
    const texts = v.instrumentTexts, batches = v.batches;
    if (v.verdict === "disputed") {
      if (v.disputedBy.length) {
        const disputing = v.disputedBy.map((id) => v.records.find((rv) => rv.recordId === id)).filter(Boolean);
        return disputedVerdict(v.records, disputing);
      }
      const t = texts.find((x) => x.verdict === "disputed");
      if (t) {
        const label = published.textLabel(t);
        label[0] = label[0].charAt(0).toLowerCase() + label[0].slice(1); // "Disputed: the French text (…)"
        return disputedVerdict(t.records, t.records.filter(disputes), label.concat([": "]));
      }
    }
    if (!v.notarised) {
      return {
        heading: ["Not notarised"], kind: "bad", note: null,
        summary: ["This ledger holds no record of this document. Any change to a file, even one character, changes its digest: check that you have the exact file."],
      };
    }
    const record = v.records.length ? spokesman(v.records) : null;
    const text = texts.find((t) => t.verified) || null;
    const batch = batches.find((b) => b.ok) || null;
    if (record && record.ok) return recordVerdict(v, record);
    if (text) return textVerdict(text);
    if (batch) return batchVerdict(batch);
    if (record) return recordVerdict(v, record);
    const failingText = texts.slice().sort((a, b) => rankOf(a) - rankOf(b))[0];
    if (failingText) return textVerdict(failingText);
    return batchVerdict(batches.find((b) => b.signer) || batches[0]);
  }

  const rankOf = (t) => { const rv = spokesman(t.records); return rv ? rank(rv) : 99; };

  /** The one receipt of the whole answer, when there is exactly one; else each card offers its own. */
  function soleReceipt(v) {
    const all = v.records.length + v.batches.length + v.instrumentTexts.length;
    if (all !== 1) return null;
    if (v.records.length) return receiptUrl(v.digest, v.records[0].record.submitter);
    if (v.batches.length) return v.batches[0].receipt;
    return v.instrumentTexts[0].records.length === 1 ? v.instrumentTexts[0].receipt : null;
  }

  /** The answer as JSON: the document's records, else its batch proofs, else its instrument's records. */
  function jsonLink(v) {
    if (v.records.length) return ["/v1/records/" + v.digest, "Record as JSON"];
    if (v.batches.length) return ["/v1/proofs/" + v.digest, "Batch proof as JSON"];
    if (v.instrumentTexts.length) return ["/v1/records/" + v.instrumentTexts[0].instrumentDigest, "Instrument record as JSON"];
    return null;
  }

  function render(v) {
    const { heading, summary, kind, note } = verdictOf(v);
    $("verdict").className = "verdict " + kind;
    $("verdict-heading").replaceChildren(ICON[kind], ...nodes(heading));
    $("verdict-summary").replaceChildren(...nodes(summary));
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

    const link = $("record-link"), json = jsonLink(v);
    link.hidden = !json;
    if (json) { link.href = json[0]; link.textContent = json[1]; }
    // The portable receipt verifies offline (`notary verify FILE --receipt R --offline`).
    const receipt = $("receipt-link"), sole = soleReceipt(v);
    receipt.hidden = !sole;
    if (sole) {
      receipt.href = sole;
      receipt.setAttribute("download", v.digest.slice(0, 16) + ".receipt.json");
    }

    // A card's colour never reads greener than the verdict above it.
    const cap = (tone) => (TONE_ORDER[tone] < TONE_ORDER[kind] ? (kind === "ok" ? "ok" : "warn") : tone);
    $("records").replaceChildren(
      ...v.records.map((rv) => renderRecord(rv, cap, v.disputedBy.includes(rv.recordId))),
      ...v.instrumentTexts.map((t) => published.renderText(t, cap)),
      ...v.batches.map((b) => published.renderBatch(b, cap, v.digest)));
    $("result").hidden = false;
    $("verdict-heading").focus();
    fillPartyNames($("result"));
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
