// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {INotaryLedger} from "./interfaces/INotaryLedger.sol";
import {LedgerSignatures} from "./LedgerSignatures.sol";

/// @title NotaryLedger (protocol v2)
/// @notice See {INotaryLedger}. Storage per record: the terms hash, one packed state slot, a
/// hash chain over its act history, and the superseding record's id once superseded; everything
/// else is in the events and in calldata checked against those hashes.
contract NotaryLedger is LedgerSignatures {
    uint256 private constant MAX_PARTIES = 32;

    mapping(bytes32 recordId => bytes32) private _terms;
    mapping(bytes32 recordId => RecordState) private _states;
    mapping(bytes32 recordId => bytes32) private _supersededBy;
    /// @dev An amendment's consent is to the superseded record's terms as they were when it was
    /// notarised: their hash, so that it never executes against that record notarised anew.
    mapping(bytes32 recordId => bytes32) private _supersededTerms;
    mapping(bytes32 recordId => bytes32) private _history;
    mapping(bytes32 anchorId => Attestation) private _batches;

    constructor(IIdentityRegistry registry_) LedgerSignatures(registry_) {}

    /// @inheritdoc INotaryLedger
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    // ----------------------------------------------------------------- writes

    /// @inheritdoc INotaryLedger
    function notarise(Notarisation calldata n, Terms calldata superseded, address signer, bytes calldata signature)
        external
        returns (bytes32 id)
    {
        Terms calldata t = n.terms;
        id = recordId(t.digest, t.submitter);
        bytes32 termsHash = hashTerms(t);
        uint64 time = _checkSigned(t.submitter, signer, _notarisationHash(termsHash, n.deadline), signature, n.deadline);
        if (t.digest == bytes32(0)) revert NotaryZeroDigest();
        RecordState storage stored = _states[id];
        Status previous = stored.status;
        if (previous != Status.None && previous != Status.Void) revert NotaryDuplicateRecord(id);
        uint256 count = t.parties.length;
        if (count == 0 || count > MAX_PARTIES || t.quorum == 0 || t.quorum > count) {
            revert NotaryInvalidQuorum(t.quorum, count);
        }
        uint32 submitterBit;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 p = t.parties[i];
            for (uint256 j = 0; j < i; ++j) {
                if (t.parties[j] == p) revert NotaryDuplicateParty(p);
            }
            if (p == t.submitter) submitterBit = uint32(1 << i);
            else if (!registry().isParty(p)) revert NotaryUnknownParty(p);
        }
        if (submitterBit == 0) revert NotaryPartyNotRequired(id, t.submitter);
        if (t.supersedes != bytes32(0)) _supersededTerms[id] = _checkAmendment(id, t, superseded);

        _terms[id] = termsHash;
        RecordState memory m = RecordState({
            status: Status.Open,
            signed: submitterBit,
            withdrawn: 0,
            annulled: 0,
            ratified: 0,
            quorum: t.quorum,
            partyCount: uint8(count),
            ratificationRequired: t.ratificationRequired,
            executed: false,
            superseded: false,
            updatedAt: time
        });
        emit RecordNotarised(
            id,
            t.digest,
            t.submitter,
            t.hashAlgorithm,
            t.kind,
            t.parties,
            t.quorum,
            t.supersedes,
            t.metadataHash,
            t.ratificationRequired,
            termsHash
        );
        _history[id] = _chain(bytes32(0), t.submitter, uint8(Intent.Signature), signer, time);
        emit ActRecorded(id, t.submitter, uint8(Intent.Signature), signer, "", time, n.deadline, signature);
        emit StatusChanged(id, previous, Status.Open, time);
        _settle(id, t.supersedes, m, Status.Open, time);
    }

    /// @inheritdoc INotaryLedger
    function act(Act calldata a, address signer, bytes calldata signature) external {
        Terms calldata t = a.terms;
        bytes32 termsHash = hashTerms(t);
        (bytes32 id, RecordState memory m) = _load(t, termsHash);
        if (a.intent > uint8(type(Intent).max)) revert NotaryInvalidIntent(a.intent);
        uint64 time = _checkSigned(a.party, signer, _actHash(a, termsHash), signature, a.deadline);
        uint32 bit = _bit(id, t, a.party);
        Intent intent = Intent(a.intent);
        Status previous = m.status;
        // A party's act stands until voided: to act again after a compromise, void the old act first.
        if (_live(m, bit, intent, a.party == t.submitter)) revert NotaryAlreadyAttested(id, a.party, a.intent);

        if (intent == Intent.Signature) {
            // Open: towards the quorum. Executed or in force: a late signature (accession).
            if (previous != Status.Open) _requireStatus(id, previous, Status.Executed, Status.InForce);
            m.signed |= bit;
        } else if (intent == Intent.Cancellation) {
            _requireStatus(id, previous, Status.Open, Status.Open);
            if (a.party != t.submitter) revert NotaryNotSubmitter(id, a.party);
            // A plain record: before anyone else signs. An amendment: any time before it executes.
            if (t.supersedes == bytes32(0) && m.signed != bit) revert NotaryAlreadyCosigned(id);
            m.status = Status.Cancelled;
        } else {
            if (intent == Intent.Ratification && !t.ratificationRequired) revert NotaryInvalidIntent(a.intent);
            _requireStatus(id, previous, Status.Executed, Status.InForce);
            if (m.signed & ~m.withdrawn & bit == 0) revert NotaryNotSignatory(id, a.party);
            if (intent == Intent.Ratification) m.ratified |= bit;
            else if (intent == Intent.Annulment) m.annulled |= bit;
            else m.withdrawn |= bit;
        }
        _history[id] = _chain(_history[id], a.party, a.intent, signer, time);
        emit ActRecorded(id, a.party, a.intent, signer, a.reason, time, a.deadline, signature);
        _settle(id, t.supersedes, m, previous, time);
    }

    /// @inheritdoc INotaryLedger
    function voidAct(Terms calldata t, ActEntry[] calldata history, bytes32 party, Intent intent) external {
        (bytes32 id, RecordState memory m) = _load(t, hashTerms(t));
        uint32 bit = _bit(id, t, party);
        bool submitter = party == t.submitter;
        if (!_live(m, bit, intent, submitter)) revert NotaryNoSuchAct(id, party, uint8(intent));
        // The latest act entry of `party` per intent, and the chain over the whole history.
        uint256[5] memory latest;
        bytes32 h;
        for (uint256 i = 0; i < history.length; ++i) {
            ActEntry calldata e = history[i];
            h = _chain(h, e.party, e.intent, e.signer, e.time);
            if (e.party == party && e.intent <= uint8(type(Intent).max)) latest[e.intent] = i + 1;
        }
        if (h != _history[id]) revert NotaryHistoryMismatch(id);
        if (latest[uint8(intent)] == 0) revert NotaryHistoryMismatch(id);
        ActEntry calldata target = history[latest[uint8(intent)] - 1];
        if (_authorisedAt(party, target.signer, target.time)) revert NotaryActValid(id, party, uint8(intent));

        Status previous = m.status;
        uint64 time = _now();
        if (intent == Intent.Signature) {
            // The party's later acts on the record presuppose its signature: they fall with it.
            for (uint8 j = 0; j <= uint8(type(Intent).max); ++j) {
                if (_live(m, bit, Intent(j), submitter) && latest[j] != 0) {
                    h = _voidEntry(id, history[latest[j] - 1], h, time);
                }
            }
            m.signed &= ~bit;
            m.withdrawn &= ~bit;
            m.annulled &= ~bit;
            m.ratified &= ~bit;
            if (submitter) {
                // A void record never was: it supersedes nothing, and nothing supersedes it.
                if (m.executed && t.supersedes != bytes32(0)) _unsupersede(t.supersedes, time);
                if (m.superseded) {
                    bytes32 newId = _supersededBy[id];
                    RecordState memory amendment = _states[newId];
                    amendment.executed = false;
                    m.superseded = false;
                    delete _supersededBy[id];
                    emit SupersededByChanged(id, bytes32(0), time);
                    _rederive(newId, amendment, time);
                }
                m.executed = false;
                m.status = Status.Void;
            }
        } else {
            h = _voidEntry(id, target, h, time);
            if (intent == Intent.Cancellation) m.status = Status.Open;
            else if (intent == Intent.Ratification) m.ratified &= ~bit;
            else if (intent == Intent.Annulment) m.annulled &= ~bit;
            else m.withdrawn &= ~bit;
        }
        _history[id] = h;
        _settle(id, t.supersedes, m, previous, time);
    }

    /// @inheritdoc INotaryLedger
    function refresh(Terms calldata t) external {
        (bytes32 id, RecordState memory m) = _load(t, hashTerms(t));
        _settle(id, t.supersedes, m, m.status, _now());
    }

    /// @inheritdoc INotaryLedger
    function anchor(BatchAnchor calldata b, address signer, bytes calldata signature)
        external
        returns (bytes32 id)
    {
        id = anchorId(b.root, b.party);
        uint64 time = _checkSigned(b.party, signer, hashBatchAnchor(b), signature, b.deadline);
        if (b.root == bytes32(0)) revert NotaryZeroDigest();
        Attestation storage prior = _batches[id];
        // A batch anchored with a key since declared compromised may be anchored again.
        if (prior.time != 0 && _authorisedAt(b.party, prior.signer, prior.time)) revert NotaryDuplicateAnchor(id);
        _batches[id] = Attestation({signer: signer, time: time});
        emit BatchAnchored(id, b.party, b.root, b.hashAlgorithm, b.metadataHash, signer, b.deadline, signature);
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
    function record(bytes32 id)
        external
        view
        returns (bytes32 termsHash, RecordState memory state, bytes32 historyHash, bytes32 supersededBy)
    {
        state = _states[id];
        if (state.status == Status.None) revert NotaryUnknownRecord(id);
        return (_terms[id], state, _history[id], state.superseded ? _supersededBy[id] : bytes32(0));
    }

    /// @inheritdoc INotaryLedger
    function batch(bytes32 id) external view returns (Attestation memory b) {
        b = _batches[id];
        if (b.time == 0) revert NotaryUnknownAnchor(id);
    }

    /// @inheritdoc INotaryLedger
    function batchValid(bytes32 root, bytes32 party) external view returns (bool) {
        Attestation storage b = _batches[anchorId(root, party)];
        return b.time != 0 && _authorisedAt(party, b.signer, b.time);
    }

    /// @inheritdoc INotaryLedger
    function verifyInclusion(bytes32 root, bytes32 party, bytes32 digest, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 id = anchorId(root, party);
        if (_batches[id].time == 0) revert NotaryUnknownAnchor(id);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(digest))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    // ----------------------------------------------------------------- internals

    /// @dev The record of `t`, checked against its stored terms hash.
    function _load(Terms calldata t, bytes32 termsHash) private view returns (bytes32 id, RecordState memory m) {
        id = recordId(t.digest, t.submitter);
        m = _states[id];
        if (m.status == Status.None) revert NotaryUnknownRecord(id);
        if (_terms[id] != termsHash) revert NotaryTermsMismatch(id, termsHash);
        if (m.status == Status.Void) revert NotaryWrongState(id, Status.Void);
    }

    /// @dev The bit of `party` in the record's party sets; reverts if it is not required.
    function _bit(bytes32 id, Terms calldata t, bytes32 party) private pure returns (uint32) {
        uint256 count = t.parties.length;
        for (uint256 i = 0; i < count; ++i) {
            if (t.parties[i] == party) return uint32(1 << i);
        }
        revert NotaryPartyNotRequired(id, party);
    }

    /// @dev An amendment must come from a party of the old record, list the old record's
    /// parties first in the same order, and the old record must be executed or in force.
    function _checkAmendment(bytes32 id, Terms calldata t, Terms calldata old) private view returns (bytes32 oldHash) {
        bytes32 oldId = t.supersedes;
        Status oldStatus = _states[oldId].status;
        if (oldStatus == Status.None) revert NotaryUnknownRecord(oldId);
        oldHash = hashTerms(old);
        if (_terms[oldId] != oldHash) revert NotaryTermsMismatch(oldId, oldHash);
        if (oldStatus != Status.Executed && oldStatus != Status.InForce) revert NotaryWrongState(oldId, oldStatus);
        uint256 k = old.parties.length;
        if (k > t.parties.length) revert NotaryAmendmentParties(id, oldId);
        bool member;
        for (uint256 i = 0; i < k; ++i) {
            if (t.parties[i] != old.parties[i]) revert NotaryAmendmentParties(id, oldId);
            if (old.parties[i] == t.submitter) member = true;
        }
        if (!member) revert NotaryPartyNotRequired(oldId, t.submitter);
    }

    /// @dev Whether `party` (bit `bit`; `submitter`: it is the record's submitter) has a standing
    /// act with `intent` on the record.
    function _live(RecordState memory m, uint32 bit, Intent intent, bool submitter) private pure returns (bool) {
        if (intent == Intent.Signature) return m.signed & bit != 0;
        if (intent == Intent.Ratification) return m.ratified & bit != 0;
        if (intent == Intent.Annulment) return m.annulled & bit != 0;
        if (intent == Intent.Withdrawal) return m.withdrawn & bit != 0;
        return submitter && m.status == Status.Cancelled;
    }

    function _chain(bytes32 h, bytes32 party, uint8 intent, address signer, uint64 time)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(h, party, intent, signer, time));
    }

    /// @dev Emits the void of one act entry and appends its void entry to the history chain.
    function _voidEntry(bytes32 id, ActEntry calldata e, bytes32 h, uint64 time) private returns (bytes32) {
        emit ActVoided(id, e.party, e.intent, e.signer, e.time, time);
        return _chain(h, e.party, e.intent | 0x80, e.signer, e.time);
    }

    /// @dev Derives the record's execution and status from its acts, applies an amendment's
    /// supersession (or undoes it), stores the state and emits the transition.
    function _settle(bytes32 id, bytes32 oldId, RecordState memory m, Status previous, uint64 time) private {
        if (m.status != Status.Cancelled && m.status != Status.Void) {
            bool quorate = _count(m.signed) >= m.quorum;
            if (oldId == bytes32(0)) {
                m.executed = quorate;
            } else if (m.executed) {
                if (!quorate || !_consented(_states[oldId], m)) {
                    m.executed = false;
                    _unsupersede(oldId, time);
                }
            } else if (quorate) {
                RecordState memory old = _states[oldId];
                bool sameTerms = _terms[oldId] == _supersededTerms[id];
                if ((old.status == Status.Executed || old.status == Status.InForce) && sameTerms && _consented(old, m)) {
                    m.executed = true;
                    old.superseded = true;
                    _supersededBy[oldId] = id;
                    emit SupersededByChanged(oldId, id, time);
                    _rederive(oldId, old, time);
                }
            }
        }
        bytes32 newId = m.superseded ? _supersededBy[id] : bytes32(0);
        if (newId != bytes32(0)) {
            // This record's bound parties changed (a void): the amendment needs their consent again.
            RecordState memory amendment = _states[newId];
            if (amendment.executed && !_consented(m, amendment)) {
                amendment.executed = false;
                m.superseded = false;
                delete _supersededBy[id];
                emit SupersededByChanged(id, bytes32(0), time);
                _rederive(newId, amendment, time);
            }
        }
        m.status = _derive(m);
        if (m.status != previous) m.updatedAt = time;
        _states[id] = m;
        if (m.status != previous) emit StatusChanged(id, previous, m.status, time);
    }

    function _unsupersede(bytes32 oldId, uint64 time) private {
        RecordState memory old = _states[oldId];
        if (!old.superseded) return;
        old.superseded = false;
        delete _supersededBy[oldId];
        emit SupersededByChanged(oldId, bytes32(0), time);
        _rederive(oldId, old, time);
    }

    /// @dev Re-derives the status of another record after a supersession change.
    function _rederive(bytes32 id, RecordState memory m, uint64 time) private {
        Status previous = m.status;
        m.status = _derive(m);
        if (m.status != previous) m.updatedAt = time;
        _states[id] = m;
        if (m.status != previous) emit StatusChanged(id, previous, m.status, time);
    }

    /// @dev Every party bound by the old record has signed the amendment (same bit positions,
    /// since an amendment lists the old record's parties first).
    function _consented(RecordState memory old, RecordState memory amendment) private pure returns (bool) {
        uint256 mask = (uint256(1) << old.partyCount) - 1;
        return (uint256(old.signed & ~old.withdrawn) & ~uint256(amendment.signed) & mask) == 0;
    }

    function _derive(RecordState memory m) private pure returns (Status) {
        if (m.status == Status.Cancelled || m.status == Status.Void) return m.status;
        if (!m.executed) return Status.Open;
        uint32 bound = m.signed & ~m.withdrawn;
        if (_count(bound) < m.quorum) return Status.Terminated;
        if (_count(m.annulled & bound) >= m.quorum) return Status.Annulled;
        if (m.superseded) return Status.Superseded;
        if (m.ratificationRequired && _count(m.ratified & bound) >= m.quorum) return Status.InForce;
        return Status.Executed;
    }

    function _count(uint32 x) private pure returns (uint256 c) {
        unchecked {
            for (; x != 0; ++c) x &= x - 1;
        }
    }

    function _requireStatus(bytes32 id, Status status, Status a, Status b) private pure {
        if (status != a && status != b) revert NotaryWrongState(id, status);
    }
}
