// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @notice Gas reference: verify one EIP-712 signature with OpenZeppelin's SignatureChecker,
/// store the signed digest with its signer and time, emit an event.
contract SignedStore is EIP712 {
    struct Entry {
        address signer;
        uint64 time;
    }

    // keccak256("Store(bytes32 digest,uint64 deadline)")
    bytes32 private constant STORE_TYPEHASH = keccak256("Store(bytes32 digest,uint64 deadline)");
    mapping(bytes32 => Entry) private _entries;

    event Stored(bytes32 indexed digest, address indexed signer, uint64 time);

    error InvalidSignature();

    constructor() EIP712("SignedStore", "1") {}

    function hash(bytes32 digest, uint64 deadline) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(STORE_TYPEHASH, digest, deadline)));
    }

    function store(bytes32 digest, uint64 deadline, address signer, bytes calldata signature) external {
        if (!SignatureChecker.isValidSignatureNow(signer, hash(digest, deadline), signature)) revert InvalidSignature();
        _entries[digest] = Entry(signer, uint64(block.timestamp));
        emit Stored(digest, signer, uint64(block.timestamp));
    }
}
