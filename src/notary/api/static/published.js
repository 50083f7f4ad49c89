/* The verifier page's published documents: a member of a published batch, and a text or annex of a
 * published multi-text instrument (the `batches` and `instrumentTexts` of GET /v1/verify/{digest}).
 *
 * A batch binds only the party that anchored it. A text verifies as its instrument: its wording is the
 * instrument's record wording (records.js), prefixed by which text of which instrument it is.
 */
"use strict";

(function () {
  const { el, when, utc, count, hexChip, party, parties, shortHex, ICON } = window.NotaryDom;
  const { wording, pendingVoidNote, spokesman, disputes, renderRecord, list } = window.NotaryRecords;

  const OFFLINE = " — verifies offline: notary verify FILE --receipt R --offline";

  // ------------------------------------------------------------------ batches

  const batchName = (b) => (b.title ? "the batch “" + b.title + "”" : "a batch");
  const place = (b) => "document " + count(b.index + 1) + " of " + count(b.count);

  /** The heading of a batch member: where and by whom it was anchored, or that the anchor fails. */
  function batchHeading(b) {
    if (!b.signer) return { parts: ["Listed in " + batchName(b) + " that this ledger never anchored"], tone: "bad" };
    const parts = ["Anchored by ", party(b.party), " on ", when(b.anchoredAt), " in " + batchName(b)];
    if (!b.ok) return { parts: parts.concat([", but not valid"]), tone: "bad" };
    return { parts, tone: "ok" };
  }

  /** The full wording of a batch member, as its card says it. */
  function batchWording(b) {
    const h = batchHeading(b);
    if (!b.signer) return h;
    const parts = (b.ok ? [] : ["Not valid: "]).concat(
      ["Anchored by ", party(b.party), " on ", when(b.anchoredAt), " in " + batchName(b) + " (" + place(b) + ")"]);
    if (b.ok) parts.push("; this batch binds ", party(b.party, true), " only");
    return { parts, tone: h.tone };
  }

  function batchSummary(b) {
    if (b.ok) {
      return ["This exact document is " + place(b) + " in a batch that ", party(b.party, true),
        " anchored on the ledger, with a key that was authorised when it anchored. A batch binds only the party that " +
        "anchored it: no other party signed this document."];
    }
    return ["This document is listed in " + batchName(b) + ", but the batch's anchor does not verify: see the reasons below."];
  }

  function renderBatch(b, cap, digest) {
    const w = batchWording(b);
    const tone = cap(w.tone);
    const dl = el("dl", { class: "facts" });
    const add = (k, ...vals) => dl.append(el("dt", {}, k), el("dd", {}, ...vals));
    add("Batch", b.title ? "“" + b.title + "”" : el("span", { class: "muted" }, "untitled"));
    add("This document", b.name + " — " + place(b));
    add("Anchored by", party(b.party, true), " — the only party this batch binds");
    add("Anchored", b.anchoredAt ? utc(b.anchoredAt) : "not on this ledger");
    add("Signer", hexChip(b.signer, b.party + "'s anchoring key"));
    add("Anchor transaction", hexChip(b.anchorTransaction, "anchor transaction hash"));
    add("Merkle root", hexChip(b.root, "batch Merkle root"));
    add("Inclusion", el("span", { class: "health " + (b.included ? "good" : "poor") },
      b.included ? "✓ the ledger accepts this document's proof" : "✗ the ledger does not accept this document's proof"),
    " (" + b.proof.length + (b.proof.length === 1 ? " hash)" : " hashes)"));
    const receipt = el("a", { href: b.receipt, download: digest.slice(0, 16) + "-batch-" + b.party + ".receipt.json", class: "receipt" },
      "Download this document's receipt");
    return el("article", { class: "record batch " + tone, id: "batch-" + b.anchorId },
      el("h3", {}, "Batch anchored by " + b.party + " ", el("span", { class: "badge tone-" + tone }, b.ok ? "anchored" : "not valid")),
      el("p", { class: "record-state tone-text-" + tone }, ICON[tone], ...w.parts),
      dl,
      el("p", { class: "receipt-line" }, receipt, el("span", { class: "muted" }, OFFLINE)),
      list(b.reasons, "reasons", "Why it does not verify"));
  }

  // ------------------------------------------------------------------ instrument texts

  let languages = null;
  /** The language a text's file name gives (treaty-fr.pdf: French), or null. */
  function language(name) {
    const m = /(?:^|[-_. ])([a-z]{2})\.[a-z0-9]{1,5}$/i.exec(name || "");
    if (!m) return null;
    try {
      languages = languages || new Intl.DisplayNames(["en"], { type: "language", fallback: "none" });
      return languages.of(m[1].toLowerCase()) || null;
    } catch (err) {
      return null;
    }
  }

  /** "The French text (treaty-fr.pdf) of the instrument “Treaty of Friendship”". */
  function textLabel(t) {
    const lang = t.role === "text" ? language(t.name) : null;
    const what = t.role === "annex" ? "The annex" : lang ? "The " + lang + " text" : "The text";
    const of = t.title ? "the instrument “" + t.title + "”"
      : el("span", {}, "the instrument ", el("code", { class: "hash", title: t.instrumentDigest }, shortHex(t.instrumentDigest)));
    return [what + " (" + t.name + ") of ", of];
  }

  /** The instrument's state for its text: its speaking record's wording, never reading better than its verdict. */
  function textState(t) {
    const rv = spokesman(t.records);
    if (t.verdict === "disputed") return { parts: ["Disputed"], tone: "bad", rv };
    if (!rv) return { parts: ["not notarised on this ledger"], tone: "bad", rv };
    const w = wording(rv);
    if (t.verified) return { parts: w.parts, tone: w.tone, rv };
    const executed = ["executed", "in-force"].includes(rv.effectiveStatus);
    return { parts: executed ? ["Notarised, but not valid"] : w.parts, tone: w.tone === "ok" ? "warn" : w.tone, rv };
  }

  function textWording(t) {
    const s = textState(t);
    return { parts: textLabel(t).concat([": "], s.parts), tone: s.tone, rv: s.rv };
  }

  function textSummary(t) {
    const w = textState(t);
    const what = t.role === "annex" ? "an annex" : "one of the texts";
    if (!t.verified || !w.rv) {
      return ["This document is " + what + " of a published instrument, but the instrument does not verify: see the reasons below."];
    }
    const rv = w.rv;
    const out = ["This exact document is " + what + " of the instrument, which was notarised by the Merkle root of its " +
      "texts. The instrument binds ", parties(rv.bound, true), ": signed with keys that were authorised when they signed."];
    if (rv.withdrawn.length) out.push(" ", parties(rv.withdrawn), " signed, then withdrew; the record still has its quorum (" + rv.record.quorum + ").");
    if (rv.record.ratificationRequired && rv.effectiveStatus !== "in-force") out.push(" It is signed but not yet in force: ratification is pending.");
    return out;
  }

  /** The text's own card, then the cards of the instrument's records. */
  function renderText(t, cap) {
    const w = textWording(t);
    const tone = cap(w.tone);
    const dl = el("dl", { class: "facts" });
    const add = (k, ...vals) => dl.append(el("dt", {}, k), el("dd", {}, ...vals));
    add("Instrument", t.title ? "“" + t.title + "”" : el("span", { class: "muted" }, "untitled"));
    add("This document", t.name + " — " + (t.role === "annex" ? "an annex" : "a text") + ", entry " + count(t.index + 1) + " of the instrument's manifest");
    if (w.rv && t.verified) add("Binds", w.rv.bound.length ? parties(w.rv.bound, true) : "nobody");
    add("Instrument digest", el("code", { class: "hash" }, t.instrumentDigest));
    const own = new Set(t.records.flatMap((rv) => rv.reasons));
    const reasons = t.reasons.filter((r) => !own.has(r));
    // With one record the instrument's receipt is unambiguous; with several each record offers its own.
    const receipt = t.records.length === 1
      ? el("p", { class: "receipt-line" },
        el("a", { href: t.receipt, download: t.instrumentDigest.slice(0, 16) + ".receipt.json", class: "receipt" },
          "Download the instrument's receipt (it lists every text)"),
        el("span", { class: "muted" }, OFFLINE))
      : null;
    const card = el("article", { class: "record text " + tone, id: "text-" + t.instrumentDigest + "-" + t.index },
      el("h3", {}, (t.role === "annex" ? "Annex" : "Text") + " of a notarised instrument ",
        el("span", { class: "badge tone-" + tone }, t.verdict.replace("-", " "))),
      el("p", { class: "record-state tone-text-" + tone }, ICON[tone], ...w.parts),
      w.rv ? pendingVoidNote(w.rv) : null,
      dl,
      receipt,
      list(reasons, "reasons", "Why it does not verify"));
    const records = t.records.map((rv) =>
      renderRecord(rv, cap, t.verdict === "disputed" && disputes(rv), "Record of the instrument notarised by "));
    return el("section", { class: "instrument", "aria-label": "The instrument this document belongs to" }, card, ...records);
  }

  window.NotaryPublished = {
    batchHeading, batchSummary, renderBatch, textLabel, textWording, textSummary, renderText,
  };
})();
