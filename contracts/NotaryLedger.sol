// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {INotaryLedger} from "./interfaces/INotaryLedger.sol";
import {LedgerSignatures} from "./LedgerSignatures.sol";

/// @title NotaryLedger
/// @notice See {INotaryLedger}.
contract NotaryLedger is LedgerSignatures {
    uint256 private constant MAX_PARTIES = 32;

    mapping(bytes32 recordId => Record) private _records;
    mapping(bytes32 digest => bytes32[]) private _recordsOfDigest;
    mapping(bytes32 recordId => mapping(bytes32 party => mapping(Intent => Attestation))) private _acts;
    mapping(bytes32 recordId => mapping(bytes32 party => bool)) private _required;
    mapping(bytes32 anchorId => Batch) private _batches;

    constructor(IIdentityRegistry registry_) LedgerSignatures(registry_) {}

    /// @inheritdoc INotaryLedger
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    // ----------------------------------------------------------------- writes

    /// @inheritdoc INotaryLedger
    function notarise(Notarisation calldata n, address signer, bytes calldata signature)
        external
        returns (bytes32 id)
    {
        id = recordId(n.digest, n.party);
        uint64 time = _checkSigned(n.party, signer, hashNotarisation(n), signature, n.deadline);
        if (n.digest == bytes32(0)) revert NotaryZeroDigest();
        if (_records[id].status != Status.None) revert NotaryDuplicateRecord(id);
        uint256 count = n.parties.length;
        if (count == 0 || count > MAX_PARTIES || n.quorum == 0 || n.quorum > count) {
            revert NotaryInvalidQuorum(n.quorum, count);
        }
        Record storage r = _records[id];
        for (uint256 i = 0; i < count; ++i) {
            bytes32 p = n.parties[i];
            if (_required[id][p]) revert NotaryDuplicateParty(p);
            if (!registry().isParty(p)) revert NotaryUnknownParty(p);
            _required[id][p] = true;
        }
        if (!_required[id][n.party]) revert NotaryPartyNotRequired(id, n.party);
        if (n.supersedes != bytes32(0)) _checkSupersedable(id, n.supersedes, n.party);

        r.digest = n.digest;
        r.hashAlgorithm = n.hashAlgorithm;
        r.kind = n.kind;
        r.submitter = n.party;
        r.parties = n.parties;
        r.quorum = n.quorum;
        r.supersedes = n.supersedes;
        r.metadataHash = n.metadataHash;
        r.ratificationRequired = n.ratificationRequired;
        r.createdAt = time;
        _recordsOfDigest[n.digest].push(id);
        emit RecordNotarised(
            id,
            n.digest,
            n.party,
            n.hashAlgorithm,
            n.kind,
            n.parties,
            n.quorum,
            n.supersedes,
            n.metadataHash,
            n.ratificationRequired
        );
        _setStatus(id, r, Status.Open, time);
        _recordSignature(id, r, n.party, signer, time);
    }

    /// @inheritdoc INotaryLedger
    function act(Act calldata a, address signer, bytes calldata signature) external {
        Record storage r = _records[a.recordId];
        if (r.status == Status.None) revert NotaryUnknownRecord(a.recordId);
        if (a.intent > uint8(type(Intent).max)) revert NotaryInvalidIntent(a.intent);
        uint64 time = _checkSigned(a.party, signer, hashAct(a), signature, a.deadline);
        if (!_required[a.recordId][a.party]) revert NotaryPartyNotRequired(a.recordId, a.party);
        Intent intent = Intent(a.intent);
        if (_acts[a.recordId][a.party][intent].time != 0) {
            revert NotaryAlreadyAttested(a.recordId, a.party, a.intent);
        }

        if (intent == Intent.Signature) {
            // Open: towards the quorum. Executed or in force: a late signature (accession).
            if (r.status != Status.Open) _requireStatus(a.recordId, r, Status.Executed, Status.InForce);
            _recordSignature(a.recordId, r, a.party, signer, time);
        } else if (intent == Intent.Cancellation) {
            _requireStatus(a.recordId, r, Status.Open, Status.Open);
            if (a.party != r.submitter) revert NotaryNotSubmitter(a.recordId, a.party);
            if (r.signatures > 1) revert NotaryAlreadyCosigned(a.recordId);
            _recordAct(a.recordId, a.party, intent, signer, a.reason, time);
            _setStatus(a.recordId, r, Status.Cancelled, time);
        } else {
            if (intent == Intent.Ratification) {
                if (!r.ratificationRequired) revert NotaryInvalidIntent(a.intent);
                _requireStatus(a.recordId, r, Status.Executed, Status.Executed);
            } else {
                _requireStatus(a.recordId, r, Status.Executed, Status.InForce);
            }
            _requireBound(a.recordId, a.party);
            _recordAct(a.recordId, a.party, intent, signer, a.reason, time);
            if (intent == Intent.Ratification) {
                if (++r.ratifications >= r.quorum) _setStatus(a.recordId, r, Status.InForce, time);
            } else if (intent == Intent.Annulment) {
                if (++r.annulments >= r.quorum) _setStatus(a.recordId, r, Status.Annulled, time);
            } else {
                // Withdrawal: terminated once fewer than the quorum of signatories remain bound.
                if (r.signatures - ++r.withdrawals < r.quorum) _setStatus(a.recordId, r, Status.Terminated, time);
            }
        }
    }

    /// @inheritdoc INotaryLedger
    function anchor(BatchAnchor calldata b, address signer, bytes calldata signature)
        external
        returns (bytes32 id)
    {
        id = anchorId(b.root, b.party);
        uint64 time = _checkSigned(b.party, signer, hashBatchAnchor(b), signature, b.deadline);
        if (b.root == bytes32(0)) revert NotaryZeroDigest();
        if (b.count == 0) revert NotaryEmptyBatch();
        if (_batches[id].time != 0) revert NotaryDuplicateAnchor(id);
        _batches[id] = Batch({
            root: b.root,
            party: b.party,
            count: b.count,
            hashAlgorithm: b.hashAlgorithm,
            metadataHash: b.metadataHash,
            signer: signer,
            time: time
        });
        emit BatchAnchored(id, b.root, b.party, b.count, b.hashAlgorithm, b.metadataHash, signer, time);
    }

    // ----------------------------------------------------------------- views

    /// @inheritdoc INotaryLedger
    function recordId(bytes32 digest, bytes32 party) public pure returns (bytes32) {
        return keccak256(abi.encode(digest, party));
    }

    /// @inheritdoc INotaryLedger
    function anchorId(bytes32 root, bytes32 party) public pure returns (bytes32) {
        return keccak256(abi.encode(root, party));
    }

    /// @inheritdoc INotaryLedger
    function record(bytes32 id) external view returns (Record memory) {
        Record storage r = _records[id];
        if (r.status == Status.None) revert NotaryUnknownRecord(id);
        return r;
    }

    /// @inheritdoc INotaryLedger
    function recordsOfDigest(bytes32 digest) external view returns (bytes32[] memory) {
        return _recordsOfDigest[digest];
    }

    /// @inheritdoc INotaryLedger
    function attestation(bytes32 id, bytes32 party, Intent intent) external view returns (Attestation memory) {
        return _acts[id][party][intent];
    }

    /// @inheritdoc INotaryLedger
    function attestationValid(bytes32 id, bytes32 party, Intent intent) external view returns (bool) {
        Attestation storage at = _acts[id][party][intent];
        return at.time != 0 && registry().isAuthorisedAt(party, at.signer, at.time);
    }

    /// @inheritdoc INotaryLedger
    function batch(bytes32 id) external view returns (Batch memory b) {
        b = _batches[id];
        if (b.time == 0) revert NotaryUnknownAnchor(id);
    }

    /// @inheritdoc INotaryLedger
    function verifyInclusion(bytes32 id, bytes32 digest, bytes32[] calldata proof) external view returns (bool) {
        Batch storage b = _batches[id];
        if (b.time == 0) revert NotaryUnknownAnchor(id);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(digest))));
        return MerkleProof.verifyCalldata(proof, b.root, leaf);
    }

    // ----------------------------------------------------------------- internals

    /// @dev An amendment must come from a party of the old record and require every party
    /// still bound by it, since it executes only with their signatures.
    function _checkSupersedable(bytes32 id, bytes32 oldId, bytes32 party) private view {
        Record storage old = _records[oldId];
        if (old.status == Status.None) revert NotaryUnknownRecord(oldId);
        if (old.status != Status.Executed && old.status != Status.InForce) revert NotaryWrongState(oldId, old.status);
        if (!_required[oldId][party]) revert NotaryPartyNotRequired(oldId, party);
        for (uint256 i = 0; i < old.parties.length; ++i) {
            bytes32 p = old.parties[i];
            if (_isBound(oldId, p) && !_required[id][p]) revert NotaryPartyNotRequired(id, p);
        }
    }

    function _requireStatus(bytes32 id, Record storage r, Status a, Status b) private view {
        if (r.status != a && r.status != b) revert NotaryWrongState(id, r.status);
    }

    function _requireBound(bytes32 id, bytes32 party) private view {
        if (!_isBound(id, party)) revert NotaryNotSignatory(id, party);
    }

    function _recordSignature(bytes32 id, Record storage r, bytes32 party, address signer, uint64 time) private {
        _recordAct(id, party, Intent.Signature, signer, "", time);
        ++r.signatures;
        if (r.status != Status.Open || r.signatures < r.quorum) return;
        bytes32 oldId = r.supersedes;
        if (oldId != bytes32(0)) {
            // An amendment executes only with the consent of every party still bound by the
            // record it supersedes, and only while that record is executed or in force.
            Record storage old = _records[oldId];
            if (old.status != Status.Executed && old.status != Status.InForce) revert NotaryWrongState(oldId, old.status);
            for (uint256 i = 0; i < old.parties.length; ++i) {
                bytes32 p = old.parties[i];
                if (_isBound(oldId, p) && _acts[id][p][Intent.Signature].time == 0) return;
            }
            _setStatus(id, r, Status.Executed, time);
            old.supersededBy = id;
            _setStatus(oldId, old, Status.Superseded, time);
            return;
        }
        _setStatus(id, r, Status.Executed, time);
    }

    function _isBound(bytes32 id, bytes32 party) private view returns (bool) {
        return _acts[id][party][Intent.Signature].time != 0 && _acts[id][party][Intent.Withdrawal].time == 0;
    }

    function _recordAct(bytes32 id, bytes32 party, Intent intent, address signer, string memory reason, uint64 time)
        private
    {
        _acts[id][party][intent] = Attestation({signer: signer, time: time});
        emit ActRecorded(id, party, uint8(intent), signer, reason, time);
    }

    function _setStatus(bytes32 id, Record storage r, Status next, uint64 time) private {
        Status previous = r.status;
        r.status = next;
        r.updatedAt = time;
        emit StatusChanged(id, previous, next, time);
    }
}
