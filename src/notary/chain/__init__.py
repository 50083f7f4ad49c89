"""The chain layer: the only code in notary that imports web3.

- `connect`: the in-process chain (eth-tester) or any JSON-RPC node;
- `artifacts`: the committed compiled contracts;
- `deploy`: deploy both contracts and produce a `Deployment`;
- `tx`: send a transaction, wait for it, decode reverts into typed errors;
- `gateway`: typed reads and writes over the two contracts;
- `node`: the local anvil node.
"""
