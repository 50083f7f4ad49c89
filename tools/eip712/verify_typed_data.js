#!/usr/bin/env node
// ethers v6's EIP-712: an independent check that our signed documents are standard
// (tests/unit/test_eip712_ethers.py). The documents are passed to ethers as they are:
// bytes as 0x-hex strings, uint64 as decimal strings, uint8 as numbers; ethers accepts them.
//
// stdin:  JSON list of {"domain", "types", "primaryType", "message", "signature"}, `types`
//         including the EIP712Domain entry as in our files.
// stdout: JSON list, per document, of
//         {"address": ethers.verifyTypedData(domain, types without EIP712Domain, message, signature),
//          "primaryType": the primary type ethers infers from those types}
//
// ethers infers the domain's type from `domain` and refuses an EIP712Domain entry in `types`
// (it would be a second unreferenced type, so the primary type would be ambiguous), and it has
// no primaryType argument: it takes the one type no other references, so `types` must be the
// primary type's dependency graph only (ours are). The inferred one is returned for the caller
// to compare with `primaryType`.
"use strict";

const { TypedDataEncoder, verifyTypedData } = require("ethers");

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = input.map(({ domain, types, message, signature }) => {
  const { EIP712Domain, ...rest } = types;
  return {
    address: verifyTypedData(domain, rest, message, signature),
    primaryType: TypedDataEncoder.from(rest).primaryType,
  };
});
process.stdout.write(JSON.stringify(results));
