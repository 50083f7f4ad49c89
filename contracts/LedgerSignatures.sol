// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {INotaryLedger} from "./interfaces/INotaryLedger.sol";

/// @title LedgerSignatures
/// @notice EIP-712 hashing of the ledger's signed payloads and the check that a signer is
/// authorised for a party now. Consensus-critical: a change here breaks every old signature.
abstract contract LedgerSignatures is INotaryLedger, EIP712 {
    // keccak256("Notarisation(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 party,bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired,uint64 deadline)")
    bytes32 internal constant NOTARISATION_TYPEHASH = keccak256(
        "Notarisation(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 party,bytes32[] parties,uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired,uint64 deadline)"
    );
    // keccak256("Act(bytes32 recordId,bytes32 party,uint8 intent,string reason,uint64 deadline)")
    bytes32 internal constant ACT_TYPEHASH =
        keccak256("Act(bytes32 recordId,bytes32 party,uint8 intent,string reason,uint64 deadline)");
    // keccak256("BatchAnchor(bytes32 root,bytes32 party,uint64 count,bytes32 hashAlgorithm,bytes32 metadataHash,uint64 deadline)")
    bytes32 internal constant BATCH_ANCHOR_TYPEHASH = keccak256(
        "BatchAnchor(bytes32 root,bytes32 party,uint64 count,bytes32 hashAlgorithm,bytes32 metadataHash,uint64 deadline)"
    );

    IIdentityRegistry private immutable _registry;

    constructor(IIdentityRegistry registry_) EIP712("NotaryLedger", "1") {
        _registry = registry_;
    }

    /// @inheritdoc INotaryLedger
    function registry() public view returns (IIdentityRegistry) {
        return _registry;
    }

    /// @inheritdoc INotaryLedger
    function hashNotarisation(Notarisation calldata n) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    NOTARISATION_TYPEHASH,
                    n.digest,
                    n.hashAlgorithm,
                    n.kind,
                    n.party,
                    keccak256(abi.encodePacked(n.parties)),
                    n.quorum,
                    n.supersedes,
                    n.metadataHash,
                    n.ratificationRequired,
                    n.deadline
                )
            )
        );
    }

    /// @inheritdoc INotaryLedger
    function hashAct(Act calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(ACT_TYPEHASH, a.recordId, a.party, a.intent, keccak256(bytes(a.reason)), a.deadline))
        );
    }

    /// @inheritdoc INotaryLedger
    function hashBatchAnchor(BatchAnchor calldata b) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(BATCH_ANCHOR_TYPEHASH, b.root, b.party, b.count, b.hashAlgorithm, b.metadataHash, b.deadline)
            )
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
        if (!_registry.isActive(party)) revert NotaryPartyInactive(party);
        if (signer.code.length == 0) {
            (address recovered, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecover(hash, signature);
            if (err == ECDSA.RecoverError.InvalidSignatureS) revert NotaryMalleableSignature(errArg);
            if (err != ECDSA.RecoverError.NoError || recovered != signer) {
                revert NotaryInvalidSignature(party, signer);
            }
        } else if (!SignatureChecker.isValidERC1271SignatureNow(signer, hash, signature)) {
            revert NotaryInvalidSignature(party, signer);
        }
        if (!_registry.isAuthorisedAt(party, signer, time)) revert NotaryUnauthorisedSigner(party, signer, time);
    }

    /// @dev The current time; a test contract may override it.
    function _now() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }
}
