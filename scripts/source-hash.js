'use strict';
// Which TypeScript sources dist/ was compiled from. bin/molt.js runs dist/,
// so after an edit to the sources it would run the previous code while
// run.json names the edited commit. The build records a hash of every source
// it compiled (dist/source-hash.json); bin/molt.js compares it with the
// sources in the tree before running a command.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const RECORD = 'source-hash.json';

/** the .ts files under each of `dirs`, relative to root with '/' separators, sorted */
function sourceFiles(root, dirs) {
  const files = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) files.push(child);
    }
  };
  for (const dir of dirs) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return files.sort();
}

/** sha256 over each source's path and content; undefined when there are no sources (an install of dist/ alone) */
function sourceHash(root, dirs) {
  const files = sourceFiles(root, dirs);
  if (files.length === 0) return undefined;
  const h = crypto.createHash('sha256');
  for (const f of files) {
    const body = fs.readFileSync(path.join(root, f));
    h.update(`${f}\0${body.length}\0`);
    h.update(body);
  }
  return h.digest('hex');
}

/** the build's include list (tsconfig.build.json), the dirs both sides hash */
function buildDirs(root) {
  return JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')).include;
}

/** record `hash` (taken before compiling, so an edit during the build reads as stale, never the reverse) */
function writeRecord(root, hash) {
  const tmp = path.join(root, 'dist', `${RECORD}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify({ source_hash: hash, built_at: new Date().toISOString() }) + '\n');
  fs.renameSync(tmp, path.join(root, 'dist', RECORD));
}

/** forget the record before compiling: a failed build leaves dist/ unrecorded, hence stale */
function clearRecord(root) {
  fs.rmSync(path.join(root, 'dist', RECORD), { force: true });
}

/** dist's record, or undefined when the build wrote none */
function readRecord(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'dist', RECORD), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Why dist/ cannot be trusted to be the sources in the tree, or undefined when
 * it can (or when there are no sources to compare with).
 */
function staleDist(root) {
  const now = sourceHash(root, buildDirs(root));
  if (now === undefined) return undefined;
  const built = readRecord(root);
  if (built === undefined) return `dist/ has no ${RECORD} (built by an older molt)`;
  if (built.source_hash !== now) return `the sources in ${buildDirs(root).map((d) => d + '/').join(', ')} have changed since dist/ was built (${built.built_at})`;
  return undefined;
}

module.exports = { sourceFiles, sourceHash, buildDirs, clearRecord, writeRecord, readRecord, staleDist, RECORD };
