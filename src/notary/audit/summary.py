"""The first pass over an export's rows for the PDF report: counts, the acts' health, acts over time.

Memory grows with parties, records, event types and distinct 10-second slots that hold an act,
never with rows (the flagged acts listed on page 1 are capped).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from notary.audit.rows import Row
from notary.index.normalise import SIGNED_EVENTS

#: How page 1 labels the events that name no party (ownership, status and superseded-by changes, delays).
NO_PARTY = "no party (contract-wide events)"
#: Voided or invalid acts listed by name on page 1; the rest are counted.
FLAGGED_SHOWN = 6
#: Seconds per time slot of the acts counted for the chart.
SLOT = 10
#: Check outcomes of signed acts, in the order page 1 shows them.
HEALTH = ("valid", "voided", "invalid", "unchecked")


def row_time(row: Row) -> int:
    """A row's time (UTC text in the export) as UNIX seconds."""
    return int(datetime.strptime(row["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def health_of(check: str) -> str:
    """`valid`, `voided`, `invalid` or `unchecked`: the first word of a signed act's check."""
    head = check.split(":", 1)[0].split(" ", 1)[0]
    return head if head in HEALTH else "invalid"


@dataclass
class Summary:
    by_party: dict[str, int] = field(default_factory=dict)
    by_event: dict[str, int] = field(default_factory=dict)
    last_state: dict[str, str] = field(default_factory=dict)  # record → its last StatusChanged state
    health: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HEALTH, 0))
    flagged: list[Row] = field(default_factory=list)  # the first voided or invalid acts
    acts_by_slot: dict[tuple[str, int], int] = field(default_factory=dict)  # (party, UNIX time // SLOT) → acts

    def add(self, row: Row) -> None:
        party = row["party"] or NO_PARTY
        self.by_party[party] = self.by_party.get(party, 0) + 1
        self.by_event[row["event"]] = self.by_event.get(row["event"], 0) + 1
        if row["event"] == "StatusChanged":
            self.last_state[row["record"]] = json.loads(row["detail"]).get("current", "?")
        if row["event"] in SIGNED_EVENTS:
            health = health_of(row["check"])
            self.health[health] += 1
            if health in ("voided", "invalid") and len(self.flagged) < FLAGGED_SHOWN:
                self.flagged.append(row)
            key = (row["party"], row_time(row) // SLOT)
            self.acts_by_slot[key] = self.acts_by_slot.get(key, 0) + 1

    @property
    def by_state(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for label in self.last_state.values():
            out[label] = out.get(label, 0) + 1
        return dict(sorted(out.items()))

    @property
    def acts(self) -> int:
        return sum(self.health.values())

    @property
    def compromised(self) -> int:
        """Acts that do not count: voided on chain, or invalid (not voided yet)."""
        return self.health["voided"] + self.health["invalid"]


def summarise(rows: Iterable[Row]) -> Summary:
    summary = Summary()
    for row in rows:
        summary.add(row)
    return summary
