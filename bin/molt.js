#!/usr/bin/env node
// Entry point: runs molt compiled to JavaScript (dist/, written by the build
// that `npm install` runs) and hands molt's own plugins to the CLI as
// ordinary plugin modules. MOLT_FROM_SOURCE=1 runs the TypeScript sources
// through ts-node instead (a development install; the tests do, so the
// processes they start run the code under test).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..');
const fromSource = process.env.MOLT_FROM_SOURCE === '1';
const code = fromSource ? root : path.join(root, 'dist');
const ext = fromSource ? '.ts' : '.js';
if (!fs.existsSync(path.join(code, 'core', 'cli', `main${ext}`))) {
  process.stderr.write(`molt: not built (${path.join(code, 'core', 'cli', `main${ext}`)} is missing): run \`npm run build\` in ${root}\n`);
  process.exit(1);
}
// dist/ must be the sources in the tree, or molt would run other code than
// run.json names; a worker process runs whatever its parent checked
if (!fromSource && process.argv[2] !== '_worker') {
  const why = require(path.join(root, 'scripts', 'source-hash')).staleDist(root);
  if (why !== undefined) {
    process.stderr.write(`molt: ${why}: run \`npm run build\` in ${root} (or MOLT_FROM_SOURCE=1 to run the sources)\n`);
    process.exit(1);
  }
}
require('reflect-metadata');
// transpile-only keeps start-up fast and keeps decorator metadata (which tsx would drop)
if (fromSource) require('ts-node').register({ project: path.join(root, 'tsconfig.json'), transpileOnly: true });
let runCli;
try {
  ({ runCli } = require(path.join(code, 'core', 'cli', `main${ext}`)));
} catch (e) {
  // molt cannot start (an incomplete build): one line, not a stack trace
  process.stderr.write(`${String(e && e.message).split('\n')[0]}\n`);
  process.exit(1);
}

// A reader that goes away (`molt compare --json | head`) ends the output, as
// it does for any Unix tool, rather than the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

runCli(process.argv, { builtins: [path.join(code, 'plugins', `index${ext}`)], cwd: process.cwd() }).then(
  (code) => { process.exitCode = code; },
);
