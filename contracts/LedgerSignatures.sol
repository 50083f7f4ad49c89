// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {INotaryLedger} from "./interfaces/INotaryLedger.sol";

/// @title LedgerSignatures
/// @notice EIP-712 hashing of the ledger's signed payloads (protocol v2) and the check that a
/// signer is authorised for a party now. Consensus-critical: a change here breaks every signature.
abstract contract LedgerSignatures is INotaryLedger, EIP712 {
    // keccak256("Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)")
    bytes32 internal constant TERMS_TYPEHASH = keccak256(
        "Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)"
    );
    // keccak256("Notarisation(Terms terms,uint64 deadline)Terms(...)")
    bytes32 internal constant NOTARISATION_TYPEHASH = keccak256(
        "Notarisation(Terms terms,uint64 deadline)Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)"
    );
    // keccak256("Act(Terms terms,bytes32 party,uint8 intent,string reason,uint64 deadline)Terms(...)")
    bytes32 internal constant ACT_TYPEHASH = keccak256(
        "Act(Terms terms,bytes32 party,uint8 intent,string reason,uint64 deadline)Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)"
    );
    // keccak256("BatchAnchor(bytes32 root,bytes32 party,bytes32 hashAlgorithm,bytes32 metadataHash,uint64 deadline)")
    bytes32 internal constant BATCH_ANCHOR_TYPEHASH =
        keccak256("BatchAnchor(bytes32 root,bytes32 party,bytes32 hashAlgorithm,bytes32 metadataHash,uint64 deadline)");

    IIdentityRegistry private immutable _registry;

    constructor(IIdentityRegistry registry_) EIP712("NotaryLedger", "2") {
        _registry = registry_;
    }

    /// @inheritdoc INotaryLedger
    function registry() public view returns (IIdentityRegistry) {
        return _registry;
    }

    /// @inheritdoc INotaryLedger
    function hashTerms(Terms calldata t) public pure returns (bytes32) {
        return keccak256(
            abi.encode(
                TERMS_TYPEHASH,
                t.digest,
                t.hashAlgorithm,
                t.kind,
                t.submitter,
                keccak256(abi.encodePacked(t.parties)),
                t.quorum,
                t.supersedes,
                t.metadataHash,
                t.ratificationRequired
            )
        );
    }

    /// @inheritdoc INotaryLedger
    function hashNotarisation(Notarisation calldata n) public view returns (bytes32) {
        return _notarisationHash(hashTerms(n.terms), n.deadline);
    }

    /// @inheritdoc INotaryLedger
    function hashAct(Act calldata a) public view returns (bytes32) {
        return _actHash(a, hashTerms(a.terms));
    }

    /// @inheritdoc INotaryLedger
    function hashBatchAnchor(BatchAnchor calldata b) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(BATCH_ANCHOR_TYPEHASH, b.root, b.party, b.hashAlgorithm, b.metadataHash, b.deadline)
            )
        );
    }

    function _notarisationHash(bytes32 termsHash, uint64 deadline) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(NOTARISATION_TYPEHASH, termsHash, deadline)));
    }

    function _actHash(Act calldata a, bytes32 termsHash) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(ACT_TYPEHASH, termsHash, a.party, a.intent, keccak256(bytes(a.reason)), a.deadline))
        );
    }

    /// @dev Reverts unless `signature` is `signer`'s over `hash` (EOA: low-s ECDSA; contract:
    /// EIP-1271), `party` is active, `deadline` has not passed and `signer` is authorised for
    /// `party` now. Returns the current time.
    function _checkSigned(bytes32 party, address signer, bytes32 hash, bytes calldata signature, uint64 deadline)
        internal
        view
        returns (uint64 time)
    {
        time = _now();
        if (deadline < time) revert NotaryExpiredDeadline(deadline, time);
        // ECDSA first (as OpenZeppelin's SignatureChecker): an EOA signer costs no code lookup.
        (address recovered, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecover(hash, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer) {
            if (signer.code.length != 0) {
                if (!SignatureChecker.isValidERC1271SignatureNow(signer, hash, signature)) {
                    revert NotaryInvalidSignature(party, signer);
                }
            } else if (err == ECDSA.RecoverError.InvalidSignatureS) {
                revert NotaryMalleableSignature(errArg);
            } else {
                revert NotaryInvalidSignature(party, signer);
            }
        }
        (bool active, bool authorised) = _registry.signerStatus(party, signer, time);
        if (!active) revert NotaryPartyInactive(party);
        if (!authorised) revert NotaryUnauthorisedSigner(party, signer, time);
    }

    /// @dev Whether `signer` was authorised for `party` at `time`, as the registry knows now.
    function _authorisedAt(bytes32 party, address signer, uint64 time) internal view returns (bool) {
        return _registry.isAuthorisedAt(party, signer, time);
    }

    /// @dev The current time; a test contract may override it.
    function _now() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }
}
