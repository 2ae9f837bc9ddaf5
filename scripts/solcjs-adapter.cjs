#!/usr/bin/env node
// Speaks the two parts of native solc's command line that py-solc-x uses
// (`--version` and `--standard-json`), backed by the npm WebAssembly build of solc.
// Imports resolve against the project's node_modules, so `@openzeppelin/...` works.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const solc = require(path.join(root, 'node_modules', 'solc'));

function findImport(importPath) {
  for (const base of [root, path.join(root, 'node_modules')]) {
    const candidate = path.join(base, importPath);
    if (fs.existsSync(candidate)) {
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
  }
  return { error: `File not found: ${importPath}` };
}

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes('--standard-json')) {
  const input = fs.readFileSync(0, 'utf8');
  process.stdout.write(solc.compile(input, { import: findImport }));
} else {
  process.stderr.write('solcjs-adapter: only --version and --standard-json are supported\n');
  process.exit(2);
}
