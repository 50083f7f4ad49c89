// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice See {IIdentityRegistry}. The owner is the depositary.
contract IdentityRegistry is IIdentityRegistry, Ownable2Step {
    mapping(bytes32 code => Party) private _parties;
    mapping(bytes32 code => mapping(address key => SignerKey)) private _keys;

    constructor(address depositary) Ownable(depositary) {}

    /// @inheritdoc IIdentityRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    // ----------------------------------------------------------------- depositary

    /// @inheritdoc IIdentityRegistry
    function registerParty(bytes32 code, string calldata name, address controller) external onlyOwner {
        if (code == bytes32(0)) revert RegistryInvalidCode(code);
        if (controller == address(0)) revert RegistryZeroAddress();
        if (_parties[code].registeredAt != 0) revert RegistryPartyExists(code);
        uint64 time = _now();
        _parties[code] = Party({name: name, controller: controller, suspended: false, registeredAt: time});
        emit PartyRegistered(code, name, controller, time);
    }

    /// @inheritdoc IIdentityRegistry
    function suspendParty(bytes32 code) external onlyOwner {
        Party storage p = _existing(code);
        if (p.suspended) revert RegistryPartySuspended(code);
        p.suspended = true;
        emit PartySuspended(code, _now());
    }

    /// @inheritdoc IIdentityRegistry
    function reinstateParty(bytes32 code) external onlyOwner {
        Party storage p = _existing(code);
        if (!p.suspended) revert RegistryPartyNotSuspended(code);
        p.suspended = false;
        emit PartyReinstated(code, _now());
    }

    /// @inheritdoc IIdentityRegistry
    function resetController(bytes32 code, address newController) external onlyOwner {
        _setController(code, newController, true);
    }

    /// @notice Disabled: a registry without a depositary could never register or suspend a party again.
    function renounceOwnership() public view override onlyOwner {
        revert RegistryRenounceDisabled();
    }

    // ----------------------------------------------------------------- controllers

    /// @inheritdoc IIdentityRegistry
    function transferControl(bytes32 code, address newController) external {
        _onlyController(code);
        _setController(code, newController, false);
    }

    /// @inheritdoc IIdentityRegistry
    function addSigner(bytes32 code, address key, uint64 validFrom, uint64 validUntil) external {
        _onlyController(code);
        if (key == address(0)) revert RegistryZeroAddress();
        if (validUntil <= validFrom) revert RegistryInvalidWindow(validFrom, validUntil);
        if (_keys[code][key].addedAt != 0) revert RegistrySignerExists(code, key);
        uint64 time = _now();
        _keys[code][key] = SignerKey({validFrom: validFrom, validUntil: validUntil, revokedAt: 0, addedAt: time});
        emit SignerAdded(code, key, validFrom, validUntil, time);
    }

    /// @inheritdoc IIdentityRegistry
    function revokeSigner(bytes32 code, address key, uint64 effectiveAt) external {
        _onlyController(code);
        SignerKey storage k = _keys[code][key];
        if (k.addedAt == 0) revert RegistryUnknownSigner(code, key);
        // A revocation at time 0 would read as "never revoked"; time 1 is equivalent.
        uint64 effective = effectiveAt == 0 ? 1 : effectiveAt;
        if (k.revokedAt != 0 && effective >= k.revokedAt) {
            revert RegistryRevocationNotEarlier(code, key, k.revokedAt, effective);
        }
        k.revokedAt = effective;
        emit SignerRevoked(code, key, effective, _now());
    }

    // ----------------------------------------------------------------- views

    /// @inheritdoc IIdentityRegistry
    function isParty(bytes32 code) external view returns (bool) {
        return _parties[code].registeredAt != 0;
    }

    /// @inheritdoc IIdentityRegistry
    function isActive(bytes32 code) external view returns (bool) {
        Party storage p = _parties[code];
        return p.registeredAt != 0 && !p.suspended;
    }

    /// @inheritdoc IIdentityRegistry
    function party(bytes32 code) external view returns (Party memory) {
        return _existing(code);
    }

    /// @inheritdoc IIdentityRegistry
    function signerKey(bytes32 code, address key) external view returns (SignerKey memory) {
        return _keys[code][key];
    }

    /// @inheritdoc IIdentityRegistry
    function isAuthorisedAt(bytes32 code, address key, uint64 time) public view returns (bool) {
        SignerKey storage k = _keys[code][key];
        if (k.addedAt == 0) return false;
        if (time < k.validFrom || time >= k.validUntil) return false;
        return k.revokedAt == 0 || time < k.revokedAt;
    }

    // ----------------------------------------------------------------- internals

    /// @dev The current time; a test contract may override it.
    function _now() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }

    function _existing(bytes32 code) private view returns (Party storage p) {
        p = _parties[code];
        if (p.registeredAt == 0) revert RegistryUnknownParty(code);
    }

    function _onlyController(bytes32 code) private view {
        Party storage p = _existing(code);
        if (p.controller != msg.sender) revert RegistryNotController(code, msg.sender);
    }

    function _setController(bytes32 code, address newController, bool byDepositary) private {
        if (newController == address(0)) revert RegistryZeroAddress();
        Party storage p = _existing(code);
        address previous = p.controller;
        p.controller = newController;
        emit ControllerChanged(code, previous, newController, byDepositary, _now());
    }
}
