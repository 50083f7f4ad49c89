// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Gas reference: the least a notary could do (store a bytes32 once, emit an event).
contract StoreAndEmit {
    mapping(bytes32 => uint64) private _times;

    event Stored(bytes32 indexed digest, uint64 time);

    function store(bytes32 digest) external {
        _times[digest] = uint64(block.timestamp);
        emit Stored(digest, uint64(block.timestamp));
    }
}
