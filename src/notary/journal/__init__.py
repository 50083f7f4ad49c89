"""The submission journal: signed transactions kept on disk until final, so nothing is sent twice
and nothing acknowledged is lost.

Each act the CLI relays has a key: (ledger address, record or batch id, party, intent).
Right before broadcast, the signed raw transaction and its hash are written to
`<data_dir>/journal/<chain id>/<key>.json` (temporary file, fsync, rename: a crash
leaves the old state or the new one, never half a file). The entry then moves through
states, each written the same way:

  signed    journalled before broadcast; not known to have reached the node;
  sent      the node has it (pending);
  mined     in a block, with fewer than the configured confirmations on top;
  recorded  final at the configured depth: what the command reports as recorded. The
            entry is still kept for `REORG_WATCH` more blocks, so that a reorg deeper
            than the depth is noticed and repaired, then removed.

Running the same command again after Ctrl-C, a crash or a lost connection goes through
`submit_once`:

  1. An entry exists:
     1a. its transaction is mined: report it (recorded and still there: go to 2);
     1b. the node knows it (pending): wait for it;
     1c. the node lost it (restart, reorg), the act is not on chain and the payload has
         not expired: broadcast the same bytes again (same nonce, same hash: not a second
         transaction);
     1d. otherwise (nonce used by another transaction, act already recorded, expired, or
         reverted): the entry is stale; drop it and go on.
  2. The act is already on chain (sent by this or another machine): report it, send nothing.
  3. Otherwise sign and send, journalling the transaction before broadcast.
  Then wait until the transaction is `confirmations` blocks deep, re-broadcasting it if a
  reorg drops it meanwhile.

Every `submit_once` (and `notary pending`) first sweeps the other entries (`Journal.sweep`):
entries the node lost are re-broadcast, a reorg that dropped an acknowledged act is
reported and repaired, entries past the watch are removed, and temporary files left by a
killed writer (never broadcast: the rename precedes the broadcast) are deleted.

A lock file per key stops two commands from submitting the same act at once. Entries are
JSON, media type `application/vnd.notary.journal-entry+json`, major version 2 (version 1
entries, without a state, are read as "signed").
"""

from notary.journal.entry import (
    MAJOR_VERSION,
    MEDIA_TYPE,
    MINED,
    RECORDED,
    REORG_WATCH,
    SENT,
    SIGNED,
    STATES,
    JournalEntry,
    JournalError,
    JournalKey,
    Send,
)
from notary.journal.once import OnChain, Outcome, recorded_act, state_of, submit_once
from notary.journal.pipeline import Item, Submitted, submit_many
from notary.journal.store import Journal
from notary.journal.sweep import Note, sweep

__all__ = [
    "MAJOR_VERSION",
    "MEDIA_TYPE",
    "MINED",
    "RECORDED",
    "REORG_WATCH",
    "SENT",
    "SIGNED",
    "STATES",
    "Journal",
    "JournalEntry",
    "JournalError",
    "JournalKey",
    "Item",
    "Note",
    "OnChain",
    "Outcome",
    "Send",
    "Submitted",
    "recorded_act",
    "state_of",
    "submit_many",
    "submit_once",
    "sweep",
]
