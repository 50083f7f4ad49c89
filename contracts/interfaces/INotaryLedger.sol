// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/**
 * @title INotaryLedger (protocol v2)
 * @notice Anchors document digests and the EIP-712 signed acts of state identities.
 *
 * A record is one notarised instrument. Its id is `keccak256(abi.encode(digest, submitter))`
 * so no other party can pre-claim or block a ministry's digest by submitting it first.
 * The ledger stores a hash of the record's {Terms} (the EIP-712 struct hash) and a compact
 * state; the terms themselves are in the {RecordNotarised} event and in the calldata of
 * every act, checked against the stored hash. Every act signs the full terms (domain
 * "NotaryLedger", version "2", this chain and this contract), so a consent can never be
 * reused for terms its signer did not see. Lifecycle:
 *
 *   notarise -> OPEN (the submitter's notarisation counts as its signature act)
 *   OPEN -- submitter cancels before anyone else signs (an amendment: any time) --> CANCELLED
 *   OPEN -- quorum of required parties signed --> EXECUTED
 *   EXECUTED -- ratification required and a quorum of bound parties ratified --> IN_FORCE
 *   EXECUTED|IN_FORCE -- an amendment superseding it executes --> SUPERSEDED
 *   EXECUTED|IN_FORCE -- a quorum of bound parties signs an annulment --> ANNULLED
 *   EXECUTED|IN_FORCE -- withdrawals leave fewer than quorum bound --> TERMINATED
 *
 * A party is *bound* by a record once it signed and until it withdraws. A required party
 * that has not signed may still sign an executed record (accession). An amendment lists the
 * superseded record's parties first, in the same order; it executes once its quorum is met
 * AND every party bound by the superseded record has signed it, while that record is
 * executed or in force.
 *
 * Compromise: an act whose key the registry now says was not authorised at the act's time
 * is void. Anyone may call {voidAct} with the record's act history (rebuilt from events and
 * checked against the stored hash chain); the party may then act again. A voided act stops counting and the record's state becomes what the remaining acts
 * give (a voided withdrawal un-terminates, a voided cancellation re-opens, a voided
 * executing signature of an amendment un-supersedes the old record). Voiding a signature
 * also drops that party's later acts on the record. Voiding the submitter's notarisation
 * voids the record ({Status.Void}); the submitter may then notarise the digest again.
 */
interface INotaryLedger {
    /// @notice Lifecycle state of a record. `None` means no such record.
    enum Status {
        None,
        Open,
        Executed,
        InForce,
        Cancelled,
        Superseded,
        Annulled,
        Terminated,
        Void
    }

    /// @notice What a party's signed act means.
    enum Intent {
        Signature,
        Ratification,
        Annulment,
        Withdrawal,
        Cancellation
    }

    /// @notice What every party agrees to (EIP-712 type `Terms`).
    /// Type string: Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,
    /// bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)
    struct Terms {
        bytes32 digest;
        bytes32 hashAlgorithm;
        bytes32 kind;
        bytes32 submitter;
        bytes32[] parties;
        uint8 quorum;
        bytes32 supersedes;
        bytes32 metadataHash;
        bool ratificationRequired;
    }

    /// @notice Signed request to notarise (EIP-712 type `Notarisation`), by the submitter.
    /// Type string: Notarisation(Terms terms,uint64 deadline)Terms(...)
    struct Notarisation {
        Terms terms;
        uint64 deadline;
    }

    /// @notice A party's signed act on a record (EIP-712 type `Act`), binding the record's terms.
    /// Type string: Act(Terms terms,bytes32 party,uint8 intent,string reason,uint64 deadline)Terms(...)
    struct Act {
        Terms terms;
        bytes32 party;
        uint8 intent;
        string reason;
        uint64 deadline;
    }

    /// @notice Signed Merkle root over many document digests (EIP-712 type `BatchAnchor`). How many
    /// documents the tree holds is not signed: the chain could not check such a claim (the
    /// batch's off-chain metadata, committed by `metadataHash`, may say it).
    /// Type string: BatchAnchor(bytes32 root,bytes32 party,bytes32 hashAlgorithm,bytes32 metadataHash,
    /// uint64 deadline)
    struct BatchAnchor {
        bytes32 root;
        bytes32 party;
        bytes32 hashAlgorithm;
        bytes32 metadataHash;
        uint64 deadline;
    }

    /// @notice A record's stored state (one slot). Bit `i` of a set is `terms.parties[i]`.
    struct RecordState {
        Status status;
        uint32 signed;
        uint32 withdrawn;
        uint32 annulled;
        uint32 ratified;
        uint8 quorum;
        uint8 partyCount;
        bool ratificationRequired;
        bool executed;
        bool superseded;
        uint64 updatedAt;
    }

    /// @notice One entry of a record's act history, in event order since its (latest)
    /// {RecordNotarised}: one per {ActRecorded} (`intent`) and one per {ActVoided} (`intent | 0x80`,
    /// `time` the voided act's time). The ledger stores only a hash chain over the entries:
    /// `h = keccak256(abi.encode(h, party, intent, signer, time))`, starting from zero.
    struct ActEntry {
        bytes32 party;
        uint8 intent;
        address signer;
        uint64 time;
    }

    /// @notice A stored batch: who anchored it and when.
    struct Attestation {
        address signer;
        uint64 time;
    }

    /// @notice Emitted when a record is created (again, after a void). The submitter's act follows.
    event RecordNotarised(
        bytes32 indexed recordId,
        bytes32 indexed digest,
        bytes32 indexed party,
        bytes32 hashAlgorithm,
        bytes32 kind,
        bytes32[] parties,
        uint8 quorum,
        bytes32 supersedes,
        bytes32 metadataHash,
        bool ratificationRequired,
        bytes32 termsHash
    );
    /// @notice Emitted for every accepted act, the submitter's notarisation included (its payload is
    /// then the {Notarisation}). `deadline` and `signature` are those of the signed payload.
    event ActRecorded(
        bytes32 indexed recordId,
        bytes32 indexed party,
        uint8 indexed intent,
        address signer,
        string reason,
        uint64 time,
        uint64 deadline,
        bytes signature
    );
    /// @notice Emitted when an act stops counting because its key was not authorised at its time.
    event ActVoided(
        bytes32 indexed recordId, bytes32 indexed party, uint8 indexed intent, address signer, uint64 actTime, uint64 time
    );
    /// @notice Emitted on every lifecycle transition (from `None` on creation).
    event StatusChanged(bytes32 indexed recordId, Status previous, Status current, uint64 time);
    /// @notice Emitted when an executing amendment supersedes a record (`newId` zero: no longer superseded).
    event SupersededByChanged(bytes32 indexed recordId, bytes32 indexed newId, uint64 time);
    /// @notice Emitted when a party anchors a batch root (its time is the block's).
    event BatchAnchored(
        bytes32 indexed anchorId,
        bytes32 indexed party,
        bytes32 root,
        bytes32 hashAlgorithm,
        bytes32 metadataHash,
        address signer,
        uint64 deadline,
        bytes signature
    );

    /// @notice A record with this id (same digest, same submitting party) exists and is not void.
    error NotaryDuplicateRecord(bytes32 recordId);
    /// @notice No record with this id exists.
    error NotaryUnknownRecord(bytes32 recordId);
    /// @notice The terms given are not the record's terms (their hash differs from the stored one).
    error NotaryTermsMismatch(bytes32 recordId, bytes32 termsHash);
    /// @notice The digest (or batch root) is zero.
    error NotaryZeroDigest();
    /// @notice The quorum is 0 or above the number of parties, or there are 0 or more than 32 parties.
    error NotaryInvalidQuorum(uint8 quorum, uint256 parties);
    /// @notice A party appears twice in the required parties.
    error NotaryDuplicateParty(bytes32 party);
    /// @notice A required party is not registered.
    error NotaryUnknownParty(bytes32 party);
    /// @notice The acting party is unknown or suspended in the registry.
    error NotaryPartyInactive(bytes32 party);
    /// @notice `party` is not among the record's required parties.
    error NotaryPartyNotRequired(bytes32 recordId, bytes32 party);
    /// @notice `party` has already recorded a valid act with this intent on the record.
    error NotaryAlreadyAttested(bytes32 recordId, bytes32 party, uint8 intent);
    /// @notice The act requires `party` to be bound (signed, not withdrawn).
    error NotaryNotSignatory(bytes32 recordId, bytes32 party);
    /// @notice The signed payload's deadline has passed.
    error NotaryExpiredDeadline(uint64 deadline, uint64 time);
    /// @notice `signer` was not authorised for `party` at `time` per the identity registry.
    error NotaryUnauthorisedSigner(bytes32 party, address signer, uint64 time);
    /// @notice The signature is not `signer`'s over this payload, this chain and this contract.
    error NotaryInvalidSignature(bytes32 party, address signer);
    /// @notice The signature's s value is in the upper half of the curve order (malleable twin).
    error NotaryMalleableSignature(bytes32 s);
    /// @notice The act is not allowed in the record's current state.
    error NotaryWrongState(bytes32 recordId, Status status);
    /// @notice The intent value is not a known {Intent}, or not valid for this call.
    error NotaryInvalidIntent(uint8 intent);
    /// @notice Only the submitting party may cancel its record.
    error NotaryNotSubmitter(bytes32 recordId, bytes32 party);
    /// @notice The record cannot be cancelled once another party has signed it.
    error NotaryAlreadyCosigned(bytes32 recordId);
    /// @notice An amendment must list the superseded record's parties first, in the same order.
    error NotaryAmendmentParties(bytes32 recordId, bytes32 supersedes);
    /// @notice There is no act of `party` with `intent` on the record.
    error NotaryNoSuchAct(bytes32 recordId, bytes32 party, uint8 intent);
    /// @notice The act history given does not hash to the record's stored chain.
    error NotaryHistoryMismatch(bytes32 recordId);
    /// @notice The act's key was authorised at the act's time: it cannot be voided.
    error NotaryActValid(bytes32 recordId, bytes32 party, uint8 intent);
    /// @notice A valid batch with this id (same root, same party) exists already.
    error NotaryDuplicateAnchor(bytes32 anchorId);
    /// @notice No batch with this id exists.
    error NotaryUnknownAnchor(bytes32 anchorId);

    /// @notice Notarises `n.terms.digest` for `n.terms.submitter`, counting `signer`'s signature as
    /// its signature act. For an amendment, `superseded` is the terms of the record it supersedes
    /// (ignored otherwise).
    function notarise(Notarisation calldata n, Terms calldata superseded, address signer, bytes calldata signature)
        external
        returns (bytes32 recordId);

    /// @notice Records a party's signed act (signature, ratification, annulment, withdrawal, cancellation).
    function act(Act calldata a, address signer, bytes calldata signature) external;

    /// @notice Voids the act of `party` with `intent` on the record of `terms`, if its key was not
    /// authorised at the act's time as the registry knows now. `history` is the record's act
    /// history (see {ActEntry}). Anyone may call it.
    function voidAct(Terms calldata terms, ActEntry[] calldata history, bytes32 party, Intent intent) external;

    /// @notice Re-derives the state of the record of `terms` (e.g. an amendment whose target
    /// became executable again). Anyone may call it; it changes nothing if nothing changed.
    function refresh(Terms calldata terms) external;

    /// @notice Anchors a party's signed Merkle root over document digests.
    function anchor(BatchAnchor calldata b, address signer, bytes calldata signature)
        external
        returns (bytes32 anchorId);

    /// @notice The identity registry consulted for every signer.
    function registry() external view returns (IIdentityRegistry);

    /// @notice The id of the record of `digest` submitted by `party`.
    function recordId(bytes32 digest, bytes32 party) external pure returns (bytes32);

    /// @notice The id of the batch of `root` anchored by `party`.
    function anchorId(bytes32 root, bytes32 party) external pure returns (bytes32);

    /// @notice The EIP-712 struct hash of `terms` (what the ledger stores for a record).
    function hashTerms(Terms calldata terms) external pure returns (bytes32);

    /// @notice The stored terms hash, state, act-history hash and superseding record; reverts with
    /// {NotaryUnknownRecord}.
    function record(bytes32 recordId)
        external
        view
        returns (bytes32 termsHash, RecordState memory state, bytes32 historyHash, bytes32 supersededBy);

    /// @notice The stored batch signer and time; reverts with {NotaryUnknownAnchor} if absent.
    function batch(bytes32 anchorId) external view returns (Attestation memory);

    /// @notice Whether the batch of `root` by `party` exists and its key was authorised when it
    /// anchored, as known now.
    function batchValid(bytes32 root, bytes32 party) external view returns (bool);

    /// @notice Whether `digest` is a leaf of the batch of `root` anchored by `party`, under
    /// OpenZeppelin's StandardMerkleTree rules, leaf = keccak256(bytes.concat(keccak256(abi.encode(digest)))).
    /// Reverts with {NotaryUnknownAnchor} if no such batch. The proof's length is not checked.
    function verifyInclusion(bytes32 root, bytes32 party, bytes32 digest, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice The EIP-712 digest a signer signs for `n`.
    function hashNotarisation(Notarisation calldata n) external view returns (bytes32);

    /// @notice The EIP-712 digest a signer signs for `a`.
    function hashAct(Act calldata a) external view returns (bytes32);

    /// @notice The EIP-712 digest a signer signs for `b`.
    function hashBatchAnchor(BatchAnchor calldata b) external view returns (bytes32);

    /// @notice The ledger's semantic version.
    function version() external pure returns (string memory);
}
