#!/usr/bin/env node
// molt's build: the TypeScript sources (core/, plugins/, reports/) compiled
// to dist/ by tsc (tsconfig.build.json), and tfjs-core's gradient modules
// prepared as CommonJS (scripts/prepare-tfjs.js). Run by `npm install` /
// `npm ci` (the "prepare" script) and by `npm run build`; bin/molt.js runs
// what it writes.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const { prepareTfjs } = require('./prepare-tfjs');
const { pruneDist } = require('./prune-dist');
const { buildDirs, clearRecord, sourceHash, writeRecord } = require('./source-hash');

const root = path.join(__dirname, '..');
const say = (msg) => process.stderr.write(`molt build: ${msg}\n`);

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  say('typescript is not installed (a devDependency): install with `npm install` (not --omit=dev) to build molt');
  process.exit(1);
}
const sources = sourceHash(root, buildDirs(root));
clearRecord(root);
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  say('tsc failed (above); dist/ is not up to date');
  process.exit(r.status ?? 1);
}
const stale = pruneDist(root, buildDirs(root));
if (stale.length) say(`removed ${stale.length} compiled file(s) whose source is gone (e.g. ${stale[0]})`);
writeRecord(root, sources);
const t = prepareTfjs(root);
if (t.modules) say(`prepared ${t.modules} tfjs-core modules in ${path.relative(root, t.out)}`);
