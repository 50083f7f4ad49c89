"""notary: a blockchain notarisation ledger for diplomatic documents.

Public surface (import from these modules; names starting with `_` are private):

- `notary.codes`, `notary.hashing`, `notary.eip712`, `notary.merkle`: the frozen core —
  party codes, document digests, EIP-712 payload types, OpenZeppelin-compatible Merkle
  trees. A change here breaks every existing signature, record id or proof.
- `notary.models`: value types (`Record`, `Attestation`, `Party`, `SignerKey`, `Status`,
  `Intent`, the signed payloads `Notarisation`, `Act`, `BatchAnchor`).
- `notary.registry`, `notary.ledger`, `notary.verify`: the use cases — manage parties and
  keys; prepare, sign (offline) and submit acts; verify a digest.
- `notary.signed_payload`, `notary.deployment`: strict, versioned file formats.
- `notary.config`, `notary.keystore`: settings and encrypted keys.
- `notary.chain`: the only package that imports web3 (connect, deploy, tx, gateway, node).
- `notary.errors`: `NotaryError` and its typed leaves, one per Solidity custom error.
- `notary.cli`: the `notary` command.
"""

__version__ = "0.1.0"
