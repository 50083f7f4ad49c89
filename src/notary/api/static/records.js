/* The verifier page's records: one plain wording per state, and each record's card.
 *
 * The wording follows the state the record's valid acts give (effectiveStatus), not what the chain
 * still reads while a void is pending. The cards of published instruments reuse it (published.js).
 */
"use strict";

(function () {
  const { el, when, utc, names, hexChip, party, parties, ICON } = window.NotaryDom;

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
  /** The record that speaks for a list: a passing one if any, else the one closest to valid. */
  function spokesman(list) {
    const pool = list.filter((rv) => rv.ok);
    return (pool.length ? pool : list.slice()).sort((a, b) => rank(a) - rank(b))[0] || null;
  }
  const DISPUTING = ["annulled", "terminated"];
  const disputes = (rv) => DISPUTING.includes(rv.effectiveStatus || rv.record.status);

  function receiptUrl(digest, submitter) {
    return "/v1/records/" + digest + "/receipt?submitter=" + encodeURIComponent(submitter);
  }

  function linkTo(target, label) {
    if (!target) return null;
    const a = el("a", { href: "#" + target.digest }, label + " record by " + target.submitter + " (" + target.status + ")");
    return el("dd", {}, a, " ", el("code", { class: "hash" }, target.digest));
  }

  const list = (items, cls, title) =>
    items.length ? el("div", { class: cls }, el("h4", {}, title), el("ul", {}, ...items.map((t) => el("li", {}, t)))) : null;

  /** A record's card. `cap` keeps its colour no greener than the verdict; `label` starts its heading. */
  function renderRecord(rv, cap, disputing, label) {
    const r = rv.record;
    const w = wording(rv);
    // Not ok is never green; ok is green only under a green verdict.
    const tone = cap(rv.ok ? w.tone : (w.tone === "ok" ? "bad" : w.tone));
    const dl = el("dl", { class: "facts" });
    const add = (k, ...vals) => dl.append(el("dt", {}, k), el("dd", {}, ...vals));
    add("Kind", r.kind);
    add("Parties", parties(r.parties, true), " — " + r.quorum + " of " + r.parties.length + " signatures required");
    if ((rv.effectiveStatus || r.status) === "annulled") {
      // Its signatories undid it together: nobody is bound any more.
      add("Bound now", "nobody: the record is annulled");
      if (rv.annulledBy.length) add("Annulled by", parties(rv.annulledBy));
    } else {
      add("Bound now", rv.bound.length ? parties(rv.bound) : "nobody");
    }
    if (rv.unsigned.length) add("Named, never signed", parties(rv.unsigned));
    if (rv.withdrawn.length) add("Withdrew", parties(rv.withdrawn));
    if (r.ratificationRequired) {
      add("Ratification", "required — ratified by ", rv.ratifiedBy.length ? parties(rv.ratifiedBy) : "nobody yet",
        " (" + r.ratifications + " of " + r.quorum + ")");
    }
    add("Notarised", utc(r.createdAt) + " by ", party(r.submitter));
    add("Record id", el("code", { class: "hash" }, r.recordId));
    if (r.links.supersedes) { dl.append(el("dt", {}, "Amends")); dl.append(linkTo(r.links.supersedes, "the")); }
    if (r.links.supersededBy) { dl.append(el("dt", {}, "Superseded by")); dl.append(linkTo(r.links.supersededBy, "the")); }

    const rows = r.attestations.map((a) =>
      el("tr", { class: a.valid ? "" : "invalid" },
        el("td", { "data-label": "Party" }, el("strong", {}, party(a.party))),
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
      el("h3", {}, (label || "Record notarised by ") + r.submitter + " ", el("span", { class: "badge tone-" + tone }, state)),
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

  window.NotaryRecords = { wording, pendingVoidNote, rank, spokesman, disputes, receiptUrl, renderRecord, list };
})();
