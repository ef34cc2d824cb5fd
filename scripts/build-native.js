#!/usr/bin/env node
// Builds molt's native kernels (native/, a C++ Node-API addon) with node-gyp.
// Run by `npm install` (the "install" script) and by `npm run build:native`.
// It never fails the install: without a compiler, Node headers or node-gyp,
// it says why and molt runs on the plain wasm kernels (core/engine/native-kernels.ts).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const crypto = require('crypto');

const nativeDir = path.join(__dirname, '..', 'native');
// Written beside the addon after a build: a hash of the sources it was built
// from, so the backend id (and so every benchmark cell's hash) changes when
// the kernels do (core/engine/native-kernels.ts).
const versionFile = path.join(nativeDir, 'build', 'Release', 'molt_native.sources');

function sourcesHash() {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(nativeDir).filter((n) => /\.(cc|h|gyp)$/.test(n)).sort()) {
    h.update(`${f}\0`).update(fs.readFileSync(path.join(nativeDir, f))).update('\0');
  }
  return h.digest('hex');
}
const logFile = path.join(nativeDir, 'build.log');
const say = (msg) => process.stderr.write(`molt: ${msg}\n`);

function nodeGyp() {
  // npm sets this for its lifecycle scripts; otherwise try npm's own copy
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && fs.existsSync(p));
}

function nodeHeaders() {
  // where Node's own headers are installed, so node-gyp need not download them
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.join(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function main() {
  if (process.env.MOLT_NATIVE === '0') return say('MOLT_NATIVE=0: native kernels not built');
  const gyp = nodeGyp();
  if (!gyp) return say('node-gyp not found: native kernels not built; molt uses the plain wasm kernels');
  const args = [gyp, 'rebuild'];
  const headers = nodeHeaders();
  if (headers) args.push(`--nodedir=${headers}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8', maxBuffer: 64 << 20 });
  fs.writeFileSync(logFile, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`);
  if (r.status === 0) {
    fs.writeFileSync(versionFile, `${sourcesHash()}\n`);
    say(`native kernels built in ${((Date.now() - started) / 1000).toFixed(1)} s (native/build/Release/molt_native.node)`);
  } else {
    say(`native kernels could not be built (see native/build.log); molt uses the plain wasm kernels`);
  }
}

main();
