// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/**
 * @title INotaryLedger
 * @notice Anchors document digests and the EIP-712 signed acts of state identities.
 *
 * A record is one notarised instrument. Its id is `keccak256(abi.encode(digest, party))`
 * so no other party can pre-claim or block a ministry's digest by submitting it first.
 * Every act carries an EIP-712 signature (domain "NotaryLedger", version "1", this
 * chain and this contract) by a key authorised for the acting party at the moment the
 * act is recorded, so anyone may relay it. Lifecycle:
 *
 *   notarise -> OPEN (the submitter's signature counts as its signature act)
 *   OPEN -- submitter cancels before anyone else signs --> CANCELLED
 *   OPEN -- quorum of required parties signed --> EXECUTED
 *   EXECUTED -- ratification required and quorum ratified --> IN_FORCE
 *   EXECUTED|IN_FORCE -- an amendment superseding it executes --> SUPERSEDED
 *   EXECUTED|IN_FORCE -- quorum signs an annulment --> ANNULLED
 *   EXECUTED|IN_FORCE -- withdrawals leave fewer than quorum bound --> TERMINATED
 *
 * A required party that has not signed may still sign an executed record (accession);
 * it is then bound like the others. An amendment (`supersedes` set) executes only once
 * its quorum is met AND every party still bound by the superseded record has signed it,
 * and only while the superseded record is executed or in force.
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
        Terminated
    }

    /// @notice What a party's signed act means.
    enum Intent {
        Signature,
        Ratification,
        Annulment,
        Withdrawal,
        Cancellation
    }

    /// @notice Signed request to notarise a digest (EIP-712 type `Notarisation`).
    /// Type string: Notarisation(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 party,
    /// bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired,
    /// uint64 deadline)
    struct Notarisation {
        bytes32 digest;
        bytes32 hashAlgorithm;
        bytes32 kind;
        bytes32 party;
        bytes32[] parties;
        uint8 quorum;
        bytes32 supersedes;
        bytes32 metadataHash;
        bool ratificationRequired;
        uint64 deadline;
    }

    /// @notice A party's signed act on a record (EIP-712 type `Act`).
    /// Type string: Act(bytes32 recordId,bytes32 party,uint8 intent,string reason,uint64 deadline)
    struct Act {
        bytes32 recordId;
        bytes32 party;
        uint8 intent;
        string reason;
        uint64 deadline;
    }

    /// @notice Signed Merkle root over many document digests (EIP-712 type `BatchAnchor`).
    /// Type string: BatchAnchor(bytes32 root,bytes32 party,uint64 count,bytes32 hashAlgorithm,
    /// bytes32 metadataHash,uint64 deadline)
    struct BatchAnchor {
        bytes32 root;
        bytes32 party;
        uint64 count;
        bytes32 hashAlgorithm;
        bytes32 metadataHash;
        uint64 deadline;
    }

    /// @notice A notarised record as stored.
    struct Record {
        bytes32 digest;
        bytes32 hashAlgorithm;
        bytes32 kind;
        bytes32 submitter;
        bytes32[] parties;
        uint8 quorum;
        bytes32 supersedes;
        bytes32 supersededBy;
        bytes32 metadataHash;
        bool ratificationRequired;
        Status status;
        uint64 createdAt;
        uint64 updatedAt;
        uint8 signatures;
        uint8 ratifications;
        uint8 annulments;
        uint8 withdrawals;
    }

    /// @notice One recorded act: who signed it and when (time 0: no such act).
    struct Attestation {
        address signer;
        uint64 time;
    }

    /// @notice A stored batch anchor.
    struct Batch {
        bytes32 root;
        bytes32 party;
        uint64 count;
        bytes32 hashAlgorithm;
        bytes32 metadataHash;
        address signer;
        uint64 time;
    }

    /// @notice Emitted when a record is created. The submitter's signature act follows as {ActRecorded}.
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
        bool ratificationRequired
    );
    /// @notice Emitted for every accepted act, the submitter's initial signature included.
    event ActRecorded(
        bytes32 indexed recordId,
        bytes32 indexed party,
        uint8 indexed intent,
        address signer,
        string reason,
        uint64 time
    );
    /// @notice Emitted on every lifecycle transition (from `None` on creation).
    event StatusChanged(bytes32 indexed recordId, Status previous, Status current, uint64 time);
    /// @notice Emitted when a party anchors a batch root.
    event BatchAnchored(
        bytes32 indexed anchorId,
        bytes32 indexed root,
        bytes32 indexed party,
        uint64 count,
        bytes32 hashAlgorithm,
        bytes32 metadataHash,
        address signer,
        uint64 time
    );

    /// @notice A record with this id (same digest, same submitting party) exists already.
    error NotaryDuplicateRecord(bytes32 recordId);
    /// @notice No record with this id exists.
    error NotaryUnknownRecord(bytes32 recordId);
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
    /// @notice `party` has already recorded an act with this intent on the record.
    error NotaryAlreadyAttested(bytes32 recordId, bytes32 party, uint8 intent);
    /// @notice The act requires a prior signature by `party` that is missing (or it withdrew).
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
    /// @notice A batch with this id (same root, same party) exists already.
    error NotaryDuplicateAnchor(bytes32 anchorId);
    /// @notice A batch anchor must cover at least one document.
    error NotaryEmptyBatch();
    /// @notice No batch with this id exists.
    error NotaryUnknownAnchor(bytes32 anchorId);

    /// @notice Notarises `n.digest` for party `n.party`, counting `signer`'s signature as its signature act.
    function notarise(Notarisation calldata n, address signer, bytes calldata signature)
        external
        returns (bytes32 recordId);

    /// @notice Records a party's signed act (signature, ratification, annulment, withdrawal, cancellation).
    function act(Act calldata a, address signer, bytes calldata signature) external;

    /// @notice Anchors a party's signed Merkle root over `b.count` document digests.
    function anchor(BatchAnchor calldata b, address signer, bytes calldata signature)
        external
        returns (bytes32 anchorId);

    /// @notice The identity registry consulted for every signer.
    function registry() external view returns (IIdentityRegistry);

    /// @notice The id of the record of `digest` submitted by `party`.
    function recordId(bytes32 digest, bytes32 party) external pure returns (bytes32);

    /// @notice The id of the batch of `root` anchored by `party`.
    function anchorId(bytes32 root, bytes32 party) external pure returns (bytes32);

    /// @notice The stored record; reverts with {NotaryUnknownRecord} if absent.
    function record(bytes32 recordId) external view returns (Record memory);

    /// @notice The ids of every record of `digest`, in creation order.
    function recordsOfDigest(bytes32 digest) external view returns (bytes32[] memory);

    /// @notice The act of `party` with `intent` on a record (time 0: none).
    function attestation(bytes32 recordId, bytes32 party, Intent intent) external view returns (Attestation memory);

    /// @notice Re-checks an act against the registry's current knowledge: false if absent, or if its
    /// key is (now known to be) unauthorised at the act's time, e.g. declared compromised before it.
    function attestationValid(bytes32 recordId, bytes32 party, Intent intent) external view returns (bool);

    /// @notice The stored batch; reverts with {NotaryUnknownAnchor} if absent.
    function batch(bytes32 anchorId) external view returns (Batch memory);

    /// @notice Whether `digest` is a leaf of batch `anchorId` under the OpenZeppelin
    /// MerkleProof rules, leaf = keccak256(bytes.concat(keccak256(abi.encode(digest)))).
    function verifyInclusion(bytes32 anchorId, bytes32 digest, bytes32[] calldata proof)
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
