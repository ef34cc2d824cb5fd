#!/usr/bin/env node
// Entry point: registers ts-node (transpile-only keeps start-up fast and keeps
// decorator metadata, which tsx would drop) and hands molt's own plugins to
// the CLI as ordinary plugin modules.
'use strict';
const path = require('node:path');
const root = path.join(__dirname, '..');
require('reflect-metadata');
require('ts-node').register({ project: path.join(root, 'tsconfig.json'), transpileOnly: true });
const { runCli } = require(path.join(root, 'core', 'cli', 'main.ts'));

// A reader that goes away (`molt compare --json | head`) ends the output, as
// it does for any Unix tool, rather than the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

runCli(process.argv, { builtins: [path.join(root, 'plugins', 'index.ts')], cwd: process.cwd() }).then(
  (code) => { process.exitCode = code; },
);
