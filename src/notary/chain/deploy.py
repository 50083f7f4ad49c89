"""Deploy the identity registry and the ledger, and describe them in a manifest."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from notary.chain import artifacts, tx
from notary.chain.connect import Chain
from notary.deployment import DeployedContract, Deployment


def deploy(chain: Chain, depositary: LocalAccount) -> Deployment:
    """Deploy both contracts from the depositary's key; it becomes the registry's owner."""
    reg_art = artifacts.load("IdentityRegistry")
    led_art = artifacts.load("NotaryLedger")
    reg_tx = tx.deploy(chain, reg_art.abi, reg_art.bytecode, depositary, depositary.address)
    reg_address = tx.contract_address(chain, reg_tx)
    led_tx = tx.deploy(chain, led_art.abi, led_art.bytecode, depositary, reg_address)
    led_address = tx.contract_address(chain, led_tx)
    return Deployment(
        chain_id=chain.chain_id,
        registry=DeployedContract(reg_address, reg_tx.block_number, reg_tx.transaction, reg_art.sources_hash),
        ledger=DeployedContract(led_address, led_tx.block_number, led_tx.transaction, led_art.sources_hash),
        depositary=depositary.address,
    )
