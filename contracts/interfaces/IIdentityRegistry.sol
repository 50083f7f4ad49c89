// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/**
 * @title IIdentityRegistry
 * @notice On-chain registry of state identities: parties (states and international
 * organisations, identified by a short code such as `FRA` or `UN` stored as bytes32)
 * and the signer keys authorised to act for each party within a validity window.
 *
 * The depositary (the registry's owner, transferable in two steps) registers and
 * suspends parties and may reset a lost controller. A party's controller adds signer
 * keys and revokes them with an effective time; an effective time in the past declares
 * a compromise: what the key signed from that time on is invalid, earlier acts stay valid.
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

    /// @notice Registers party `code` with a display name and a controller. Depositary only.
    function registerParty(bytes32 code, string calldata name, address controller) external;

    /// @notice Suspends party `code`: it can no longer act until reinstated. Depositary only.
    function suspendParty(bytes32 code) external;

    /// @notice Lifts the suspension of party `code`. Depositary only.
    function reinstateParty(bytes32 code) external;

    /// @notice Replaces a lost controller of party `code`. Depositary only.
    function resetController(bytes32 code, address newController) external;

    /// @notice Hands control of party `code` to `newController`. Current controller only.
    function transferControl(bytes32 code, address newController) external;

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

    /// @notice Returns whether `key` was authorised for party `code` at `time`, as known now:
    /// a revocation declared later with an earlier effective time counts.
    function isAuthorisedAt(bytes32 code, address key, uint64 time) external view returns (bool);

    /// @notice Returns the registry's semantic version.
    function version() external pure returns (string memory);
}
