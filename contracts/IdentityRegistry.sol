// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry (protocol v2)
/// @notice See {IIdentityRegistry}. The owner is the depositary.
contract IdentityRegistry is IIdentityRegistry, Ownable2Step {
    /// @dev A pending controller change: a controller's proposal or a depositary's scheduled reset.
    struct ControlChange {
        address newController;
        uint64 effectiveAt;
        bool byDepositary;
    }

    uint64 private constant DEFAULT_DELAY = 72 hours;

    mapping(bytes32 code => Party) private _parties;
    mapping(bytes32 code => mapping(address key => SignerKey)) private _keys;
    mapping(bytes32 code => ControlChange) private _pendingControl;
    mapping(bytes32 code => mapping(address key => uint64)) private _pendingRevocation;
    /// @dev The delays in force, and new ones that take effect at `pendingAt` (0: none pending).
    struct Delays {
        uint64 repudiationWindow;
        uint64 controllerResetDelay;
        uint64 pendingWindow;
        uint64 pendingResetDelay;
        uint64 pendingAt;
    }

    Delays private _delays = Delays(DEFAULT_DELAY, DEFAULT_DELAY, 0, 0, 0);

    constructor(address depositary) Ownable(depositary) {}

    /// @inheritdoc IIdentityRegistry
    function version() external pure returns (string memory) {
        return "2.0.0";
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
        _existing(code);
        if (newController == address(0)) revert RegistryZeroAddress();
        uint64 time = _now();
        (, uint64 resetDelay) = _delaysNow();
        uint64 effectiveAt = time + resetDelay;
        _pendingControl[code] = ControlChange(newController, effectiveAt, true);
        emit ControllerResetScheduled(code, newController, effectiveAt, time);
    }

    /// @inheritdoc IIdentityRegistry
    function cancelControllerReset(bytes32 code) external onlyOwner {
        ControlChange storage c = _pendingControl[code];
        if (!c.byDepositary) revert RegistryNoPendingControl(code, msg.sender);
        address newController = c.newController;
        delete _pendingControl[code];
        emit ControllerResetCancelled(code, newController, _now());
    }

    /// @inheritdoc IIdentityRegistry
    function completeControllerReset(bytes32 code) external {
        ControlChange memory c = _pendingControl[code];
        if (!c.byDepositary) revert RegistryNoPendingControl(code, msg.sender);
        uint64 time = _now();
        if (time < c.effectiveAt) revert RegistryResetNotDue(code, c.effectiveAt, time);
        delete _pendingControl[code];
        _setController(code, c.newController, true);
    }

    /// @inheritdoc IIdentityRegistry
    function confirmRevocation(bytes32 code, address key) external onlyOwner {
        uint64 requested = _pendingRevocation[code][key];
        if (requested == 0) revert RegistryNoPendingRevocation(code, key);
        delete _pendingRevocation[code][key];
        uint64 time = _now();
        emit BackdatedRevocationConfirmed(code, key, requested, time);
        SignerKey storage k = _keys[code][key];
        if (k.revokedAt == 0 || requested < k.revokedAt) _revoke(code, key, k, requested, time);
    }

    /// @inheritdoc IIdentityRegistry
    function setDelays(uint64 repudiationWindow_, uint64 controllerResetDelay_) external onlyOwner {
        // New delays wait out the reset delay in force, so shortening it never speeds up a takeover.
        (uint64 window, uint64 resetDelay) = _delaysNow();
        uint64 time = _now();
        uint64 effectiveAt = time + resetDelay;
        _delays = Delays(window, resetDelay, repudiationWindow_, controllerResetDelay_, effectiveAt);
        emit DelaysChanged(repudiationWindow_, controllerResetDelay_, effectiveAt, time);
    }

    /// @notice Disabled: a registry without a depositary could never register or suspend a party again.
    function renounceOwnership() public view override onlyOwner {
        revert RegistryRenounceDisabled();
    }

    // ----------------------------------------------------------------- controllers

    /// @inheritdoc IIdentityRegistry
    function transferControl(bytes32 code, address newController) external {
        Party storage p = _onlyController(code);
        if (newController == address(0)) revert RegistryZeroAddress();
        // A controller's proposal replaces a pending one of its own, never a depositary's reset.
        if (_pendingControl[code].byDepositary) revert RegistryNoPendingControl(code, msg.sender);
        _pendingControl[code] = ControlChange(newController, 0, false);
        emit ControlTransferStarted(code, p.controller, newController, _now());
    }

    /// @inheritdoc IIdentityRegistry
    function acceptControl(bytes32 code) external {
        ControlChange memory c = _pendingControl[code];
        if (c.byDepositary || c.newController == address(0) || c.newController != msg.sender) {
            revert RegistryNoPendingControl(code, msg.sender);
        }
        delete _pendingControl[code];
        _setController(code, msg.sender, false);
    }

    /// @inheritdoc IIdentityRegistry
    function addSigner(bytes32 code, address key, uint64 validFrom, uint64 validUntil) external {
        Party storage p = _onlyController(code);
        if (p.suspended) revert RegistryPartySuspended(code);
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
        uint64 time = _now();
        (uint64 window,) = _delaysNow();
        uint64 earliest = time > window ? time - window : 1;
        if (effective < earliest) {
            // Beyond the window: revoke from the window's edge now, the rest awaits the depositary.
            uint64 pending = _pendingRevocation[code][key];
            if (pending == 0 || effective < pending) {
                _pendingRevocation[code][key] = effective;
                emit BackdatedRevocationRequested(code, key, effective, time);
            }
            if (k.revokedAt == 0 || earliest < k.revokedAt) _revoke(code, key, k, earliest, time);
            return;
        }
        if (k.revokedAt != 0 && effective >= k.revokedAt) {
            revert RegistryRevocationNotEarlier(code, key, k.revokedAt, effective);
        }
        _revoke(code, key, k, effective, time);
    }

    // ----------------------------------------------------------------- views

    /// @inheritdoc IIdentityRegistry
    function isParty(bytes32 code) external view returns (bool) {
        return _parties[code].registeredAt != 0;
    }

    /// @inheritdoc IIdentityRegistry
    function isActive(bytes32 code) public view returns (bool) {
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
    function pendingControl(bytes32 code)
        external
        view
        returns (address newController, uint64 effectiveAt, bool byDepositary)
    {
        ControlChange storage c = _pendingControl[code];
        return (c.newController, c.effectiveAt, c.byDepositary);
    }

    /// @inheritdoc IIdentityRegistry
    function pendingRevocation(bytes32 code, address key) external view returns (uint64) {
        return _pendingRevocation[code][key];
    }

    /// @inheritdoc IIdentityRegistry
    function repudiationWindow() external view returns (uint64) {
        (uint64 window,) = _delaysNow();
        return window;
    }

    /// @inheritdoc IIdentityRegistry
    function controllerResetDelay() external view returns (uint64) {
        (, uint64 resetDelay) = _delaysNow();
        return resetDelay;
    }

    /// @inheritdoc IIdentityRegistry
    function signerStatus(bytes32 code, address key, uint64 time) external view returns (bool, bool) {
        return (isActive(code), isAuthorisedAt(code, key, time));
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

    /// @dev (repudiation window, controller-reset delay) in force now.
    function _delaysNow() private view returns (uint64, uint64) {
        Delays storage d = _delays;
        if (d.pendingAt != 0 && _now() >= d.pendingAt) return (d.pendingWindow, d.pendingResetDelay);
        return (d.repudiationWindow, d.controllerResetDelay);
    }

    function _existing(bytes32 code) private view returns (Party storage p) {
        p = _parties[code];
        if (p.registeredAt == 0) revert RegistryUnknownParty(code);
    }

    function _onlyController(bytes32 code) private view returns (Party storage p) {
        p = _existing(code);
        if (p.controller != msg.sender) revert RegistryNotController(code, msg.sender);
    }

    function _revoke(bytes32 code, address key, SignerKey storage k, uint64 effective, uint64 time) private {
        k.revokedAt = effective;
        emit SignerRevoked(code, key, effective, time);
    }

    function _setController(bytes32 code, address newController, bool byDepositary) private {
        Party storage p = _existing(code);
        address previous = p.controller;
        p.controller = newController;
        emit ControllerChanged(code, previous, newController, byDepositary, _now());
    }
}
