#!/usr/bin/env node
// OpenZeppelin's StandardMerkleTree over one bytes32 per leaf: the reference that
// src/notary/merkle.py is tested against (tests/unit/test_merkle_standard.py).
//
// stdin:  JSON list of cases, each {"digests": ["0x…", …], "proofs": [["0x…", …], …] (optional)}
// stdout: JSON list of results, each
//         {"root", "tree": dump().tree, "treeIndex": [per digest], "proofs": [getProof(i) per digest],
//          "verified": [StandardMerkleTree.verify(root, ["bytes32"], [digest i], proofs[i]) per given proof]}
"use strict";

const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = input.map(({ digests, proofs }) => {
  const tree = StandardMerkleTree.of(
    digests.map((d) => [d]),
    ["bytes32"],
  );
  const dump = tree.dump();
  return {
    root: tree.root,
    tree: dump.tree,
    treeIndex: dump.values.map((v) => v.treeIndex),
    proofs: digests.map((_, i) => tree.getProof(i)),
    verified: (proofs || []).map((p, i) => StandardMerkleTree.verify(tree.root, ["bytes32"], [digests[i]], p)),
  };
});
process.stdout.write(JSON.stringify(results));
