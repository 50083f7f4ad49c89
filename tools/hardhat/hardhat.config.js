// Hardhat's node as a second, independent node implementation for the tests (issue 11):
// `notary.chain.hardhat.ephemeral_hardhat` runs
//   hardhat node --config tools/hardhat/hardhat.config.js --hostname 127.0.0.1 --port PORT
// with HARDHAT_DISABLE_TELEMETRY_PROMPT=true. Nothing is compiled (the project's artifacts
// are committed JSON) and nothing is forked: the node needs no network access.
module.exports = {
  solidity: "0.8.30", // never used: there are no sources here, so `hardhat node` compiles nothing
  paths: { sources: "./no-sources" }, // absent on purpose
  networks: {
    hardhat: {
      chainId: 31337, // as anvil's: the same dev accounts (the "test test … junk" mnemonic) too
      mining: { auto: true, interval: 0 }, // one block per transaction, mined on receipt, like anvil
      // Hardhat's own clock rule is kept on purpose (the point is a node that differs): each block
      // is stamped at least one second after its parent, where anvil stamps several blocks of one
      // second alike, so a burst of transactions runs Hardhat's chain clock ahead of the wall clock.
    },
  },
};
