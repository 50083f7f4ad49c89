// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/**
 * @title IIdentityRegistry
 * @notice On-chain registry of state identities: parties (states and international
 * organisations, identified by a short code such as `FRA` or `UN` stored as bytes32)
 * and the signer keys authorised to act for each party within a validity window.
 *
 * The depositary (the registry's owner, transferable in two steps) registers and
 * suspends parties and may reset a lost controller, which takes effect only after
 * `controllerResetDelay` (default 72 hours) during which the pending reset is public. A
 * party's controller hands control on in two steps, adds signer keys (not while suspended)
 * and revokes them with an effective time; an effective time in the past declares a
 * compromise: what the key signed from that time on is void, earlier acts stay valid. A
 * controller alone may back-date a compromise by at most `repudiationWindow` (default 72
 * hours); an earlier effective time is applied at the window's edge at once and in full
 * only once the depositary confirms it, so no party can silently repudiate old acts.
 *
 * Every state change emits an event from which the full history can be rebuilt.
 */
interface IIdentityRegistry {
    /// @notice A party as stored by the registry.
    struct Party {
        string name;
        address controller;
        bool suspended;
        uint64 registeredAt;
    }

    /// @notice A signer key's authorisation for one party: valid in `[validFrom, validUntil)`,
    /// and, once revoked, only before `revokedAt` (0 means never revoked).
    struct SignerKey {
        uint64 validFrom;
        uint64 validUntil;
        uint64 revokedAt;
        uint64 addedAt;
    }

    /// @notice Emitted when the depositary registers a party.
    event PartyRegistered(bytes32 indexed code, string name, address indexed controller, uint64 time);
    /// @notice Emitted when the depositary suspends a party; a suspended party cannot act.
    event PartySuspended(bytes32 indexed code, uint64 time);
    /// @notice Emitted when the depositary lifts a party's suspension.
    event PartyReinstated(bytes32 indexed code, uint64 time);
    /// @notice Emitted when a party's controller changes; `byDepositary` marks a reset of a lost controller.
    event ControllerChanged(
        bytes32 indexed code,
        address indexed previousController,
        address indexed newController,
        bool byDepositary,
        uint64 time
    );
    /// @notice Emitted when a controller authorises `key` for `code` in `[validFrom, validUntil)`.
    event SignerAdded(bytes32 indexed code, address indexed key, uint64 validFrom, uint64 validUntil, uint64 time);
    /// @notice Emitted when a controller revokes `key`; `effectiveAt` before `time` declares a compromise.
    event SignerRevoked(bytes32 indexed code, address indexed key, uint64 effectiveAt, uint64 time);
    /// @notice Emitted when a controller asks for a compromise further back than the repudiation
    /// window: the key is revoked from the window's edge now; `requestedAt` needs the depositary.
    event BackdatedRevocationRequested(bytes32 indexed code, address indexed key, uint64 requestedAt, uint64 time);
    /// @notice Emitted when the depositary confirms a back-dated compromise (a {SignerRevoked} follows).
    event BackdatedRevocationConfirmed(bytes32 indexed code, address indexed key, uint64 effectiveAt, uint64 time);
    /// @notice Emitted when the depositary schedules a controller reset, effective from `effectiveAt`.
    event ControllerResetScheduled(bytes32 indexed code, address indexed newController, uint64 effectiveAt, uint64 time);
    /// @notice Emitted when the depositary cancels a scheduled controller reset.
    event ControllerResetCancelled(bytes32 indexed code, address indexed newController, uint64 time);
    /// @notice Emitted when a controller proposes `newController`, who must accept.
    event ControlTransferStarted(bytes32 indexed code, address indexed controller, address indexed newController, uint64 time);
    /// @notice Emitted when the depositary changes the repudiation window and the controller-reset
    /// delay; they take effect at `effectiveAt`, after the reset delay in force when changed.
    event DelaysChanged(uint64 repudiationWindow, uint64 controllerResetDelay, uint64 effectiveAt, uint64 time);

    /// @notice The party code is empty.
    error RegistryInvalidCode(bytes32 code);
    /// @notice An address argument is the zero address.
    error RegistryZeroAddress();
    /// @notice A party with this code is already registered.
    error RegistryPartyExists(bytes32 code);
    /// @notice No party with this code is registered.
    error RegistryUnknownParty(bytes32 code);
    /// @notice `caller` is not the controller of party `code`.
    error RegistryNotController(bytes32 code, address caller);
    /// @notice The party is suspended by the depositary.
    error RegistryPartySuspended(bytes32 code);
    /// @notice The party is not suspended.
    error RegistryPartyNotSuspended(bytes32 code);
    /// @notice `key` is already registered for party `code` (a key has one window per party).
    error RegistrySignerExists(bytes32 code, address key);
    /// @notice `key` was never registered for party `code`.
    error RegistryUnknownSigner(bytes32 code, address key);
    /// @notice The window `[validFrom, validUntil)` is empty.
    error RegistryInvalidWindow(uint64 validFrom, uint64 validUntil);
    /// @notice The depositary cannot renounce its role; transfer it in two steps instead.
    error RegistryRenounceDisabled();
    /// @notice A revocation may only move earlier: `requested` is not before `existing`.
    error RegistryRevocationNotEarlier(bytes32 code, address key, uint64 existing, uint64 requested);
    /// @notice There is no pending back-dated revocation of `key` for `code`.
    error RegistryNoPendingRevocation(bytes32 code, address key);
    /// @notice There is no pending controller change for `code`, or `caller` is not its new controller.
    error RegistryNoPendingControl(bytes32 code, address caller);
    /// @notice The scheduled controller reset of `code` takes effect only at `effectiveAt`.
    error RegistryResetNotDue(bytes32 code, uint64 effectiveAt, uint64 time);

    /// @notice Registers party `code` with a display name and a controller. Depositary only.
    function registerParty(bytes32 code, string calldata name, address controller) external;

    /// @notice Suspends party `code`: it can no longer act until reinstated. Depositary only.
    function suspendParty(bytes32 code) external;

    /// @notice Lifts the suspension of party `code`. Depositary only.
    function reinstateParty(bytes32 code) external;

    /// @notice Schedules the replacement of a lost controller of party `code`, effective after
    /// `controllerResetDelay`. Depositary only.
    function resetController(bytes32 code, address newController) external;

    /// @notice Cancels a scheduled controller reset. Depositary only.
    function cancelControllerReset(bytes32 code) external;

    /// @notice Completes a controller reset once due. Anyone may call it.
    function completeControllerReset(bytes32 code) external;

    /// @notice Confirms a controller's back-dated compromise of `key` beyond the repudiation window. Depositary only.
    function confirmRevocation(bytes32 code, address key) external;

    /// @notice Sets the repudiation window and the controller-reset delay (seconds), effective after the
    /// reset delay in force now (so a shorter delay never speeds up a reset). Depositary only.
    function setDelays(uint64 repudiationWindow, uint64 controllerResetDelay) external;

    /// @notice Proposes `newController` for party `code`; it takes over once it calls {acceptControl}.
    /// Current controller only.
    function transferControl(bytes32 code, address newController) external;

    /// @notice Accepts control of party `code`. The proposed controller only.
    function acceptControl(bytes32 code) external;

    /// @notice Authorises `key` for party `code` in `[validFrom, validUntil)`. Controller only.
    function addSigner(bytes32 code, address key, uint64 validFrom, uint64 validUntil) external;

    /// @notice Revokes `key` for party `code` from `effectiveAt` on (may lie in the past). Controller only.
    function revokeSigner(bytes32 code, address key, uint64 effectiveAt) external;

    /// @notice Returns whether `code` is a registered party.
    function isParty(bytes32 code) external view returns (bool);

    /// @notice Returns whether `code` is registered and not suspended.
    function isActive(bytes32 code) external view returns (bool);

    /// @notice Returns the stored party `code`; reverts with {RegistryUnknownParty} if absent.
    function party(bytes32 code) external view returns (Party memory);

    /// @notice Returns the stored window of `key` for `code` (all zero if never added).
    function signerKey(bytes32 code, address key) external view returns (SignerKey memory);

    /// @notice The pending controller change of `code`: the new controller, when a depositary reset
    /// takes effect (0 for a controller's own transfer) and whether it is a reset (zero: none).
    function pendingControl(bytes32 code)
        external
        view
        returns (address newController, uint64 effectiveAt, bool byDepositary);

    /// @notice The effective time a controller asked for beyond the window, awaiting the depositary (0: none).
    function pendingRevocation(bytes32 code, address key) external view returns (uint64 requestedAt);

    /// @notice How far back (seconds) a controller alone may declare a compromise.
    function repudiationWindow() external view returns (uint64);

    /// @notice How long (seconds) a depositary's controller reset waits before taking effect.
    function controllerResetDelay() external view returns (uint64);

    /// @notice Whether `code` is active, and whether `key` is authorised for it at `time` (one call for the ledger).
    function signerStatus(bytes32 code, address key, uint64 time) external view returns (bool active, bool authorised);

    /// @notice Returns whether `key` was authorised for party `code` at `time`, as known now:
    /// a revocation declared later with an earlier effective time counts.
    function isAuthorisedAt(bytes32 code, address key, uint64 time) external view returns (bool);

    /// @notice Returns the registry's semantic version.
    function version() external pure returns (string memory);
}
