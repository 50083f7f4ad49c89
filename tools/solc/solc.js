#!/usr/bin/env node
// A tiny solc-compatible command line front over the npm `solc` package (solc-js).
//
// It exists so that py-solc-x can use the npm-pinned compiler as `solc_binary` on
// machines where no native solc can be downloaded. Only what py-solc-x needs is
// implemented:
//
//   solc --version
//   solc --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths A,B]
//        [--output-dir DIR] [--overwrite] [--pretty-json] [--json-indent N] [input.json]
//
// `--standard-json` reads the JSON input from stdin (or from the file given as the one
// positional argument) and writes the JSON output to stdout. As with native solc, the
// exit status is 0 even when the output JSON contains compilation errors.
//
// Imports the input does not carry are read from disk by the import callback, looking
// (in order) under --base-path (or the cwd if none was given), each --include-path,
// the cwd, and the node_modules folder of this repository, so that
// `import "@openzeppelin/contracts/utils/cryptography/EIP712.sol";` works.
'use strict';

const fs = require('fs');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const REPO_NODE_MODULES = path.join(REPO_ROOT, 'node_modules');

function loadSolc() {
  let resolved;
  try {
    resolved = require.resolve('solc', { paths: [REPO_ROOT] });
  } catch (err) {
    process.stderr.write(
      `Error: cannot find the npm package "solc" under ${REPO_NODE_MODULES}; ` +
        'run `make node_modules` in the repository root.\n'
    );
    process.exit(1);
  }
  return require(resolved);
}

function fail(message) {
  // Native solc prints its option errors on stderr and exits 1; py-solc-x recognises
  // messages starting with "unrecognised option" / "Invalid option".
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(1);
}

// Options that take a value: native spelling -> key.
const VALUE_OPTIONS = new Set([
  '--base-path',
  '--include-path',
  '--allow-paths',
  '--output-dir',
  '-o',
  '--json-indent',
]);
// Flags without a value that are accepted and ignored (or handled below).
const FLAG_OPTIONS = new Set([
  '--version',
  '--standard-json',
  '--overwrite',
  '--pretty-json',
  '--help',
  '-h',
]);

function parseArgs(argv) {
  const opts = { includePaths: [], allowPaths: [], positional: [], flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    if (arg.startsWith('--') && arg.includes('=')) {
      const eq = arg.indexOf('=');
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (VALUE_OPTIONS.has(arg)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) fail(`the required argument for option '${arg}' is missing`);
        value = argv[++i];
      }
      switch (arg) {
        case '--base-path':
          opts.basePath = value;
          break;
        case '--include-path':
          opts.includePaths.push(value);
          break;
        case '--allow-paths':
          opts.allowPaths.push(...value.split(',').filter(Boolean));
          break;
        case '--json-indent':
          opts.jsonIndent = Number.parseInt(value, 10);
          break;
        default:
          // --output-dir / -o: accepted and ignored (standard JSON goes to stdout).
          break;
      }
    } else if (FLAG_OPTIONS.has(arg)) {
      if (value !== undefined) fail(`option '${arg}' does not take any arguments`);
      opts.flags.add(arg);
    } else if (arg === '-' || !arg.startsWith('-')) {
      opts.positional.push(arg);
    } else {
      fail(`unrecognised option '${arg}'`);
    }
  }
  return opts;
}

function makeImportCallback(opts) {
  const cwd = process.cwd();
  const roots = [];
  const addRoot = (dir) => {
    const abs = path.resolve(cwd, dir);
    if (!roots.includes(abs)) roots.push(abs);
  };
  addRoot(opts.basePath !== undefined && opts.basePath !== '' ? opts.basePath : cwd);
  for (const p of opts.includePaths) addRoot(p);
  addRoot(cwd);
  addRoot(REPO_NODE_MODULES);

  return function findImport(sourceUnitName) {
    const candidates = [];
    if (path.isAbsolute(sourceUnitName)) {
      candidates.push(sourceUnitName);
    } else {
      for (const root of roots) candidates.push(path.join(root, sourceUnitName));
    }
    for (const candidate of candidates) {
      try {
        if (fs.statSync(candidate).isFile()) {
          return { contents: fs.readFileSync(candidate, 'utf8') };
        }
      } catch (err) {
        // not here; try the next root
      }
    }
    return {
      error: `File not found. Searched the following locations: ${candidates
        .map((c) => `"${c}"`)
        .join(', ')}.`,
    };
  };
}

function readInput(opts) {
  const file = opts.positional.find((p) => p !== '-');
  try {
    return fs.readFileSync(file !== undefined ? file : 0, 'utf8');
  } catch (err) {
    fail(`Error: could not read the standard JSON input: ${err.message}`);
  }
  return '';
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.flags.has('--help') || opts.flags.has('-h')) {
    process.stdout.write(
      'solc (npm front) — supports only: --version, --standard-json ' +
        '[--base-path DIR] [--include-path DIR] [--allow-paths A,B]\n'
    );
    return;
  }
  const solc = loadSolc();
  if (opts.flags.has('--version')) {
    // Same two lines as native solc; py-solc-x parses the version out of them.
    process.stdout.write(
      `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`
    );
    return;
  }
  if (!opts.flags.has('--standard-json')) {
    fail('Error: this solc front only supports --version and --standard-json');
  }
  const input = readInput(opts);
  const output = solc.compile(input, { import: makeImportCallback(opts) });
  let text = output;
  if (opts.flags.has('--pretty-json') || opts.jsonIndent !== undefined) {
    const indent = opts.jsonIndent !== undefined ? opts.jsonIndent : 2;
    text = JSON.stringify(JSON.parse(output), null, indent);
  }
  // Let the write drain before node exits (large outputs through a pipe).
  process.stdout.write(text + '\n');
}

main();
