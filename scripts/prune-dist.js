'use strict';
// tsc never deletes what it wrote for a source file that has since been
// removed or moved, and a stale dist/ module can shadow its replacement (a
// folder `x/` loses to a leftover `x.js` when code imports './x'). After each
// build, every compiled file under dist/ whose TypeScript source is gone is
// deleted.
const fs = require('fs');
const path = require('path');

const OUTPUT_SUFFIXES = ['.d.ts', '.js.map', '.js'];

function sourceOf(rel) {
  const suffix = OUTPUT_SUFFIXES.find((s) => rel.endsWith(s));
  return suffix === undefined ? undefined : `${rel.slice(0, -suffix.length)}.ts`;
}

/** Deletes stale outputs under dist/<dir> for each compiled dir; returns their paths relative to root. */
function pruneDist(root, dirs) {
  const removed = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, 'dist', rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        walk(child);
        continue;
      }
      const source = sourceOf(child);
      if (source !== undefined && !fs.existsSync(path.join(root, source))) {
        fs.unlinkSync(path.join(root, 'dist', child));
        removed.push(path.join('dist', child));
      }
    }
  };
  for (const dir of dirs) if (fs.existsSync(path.join(root, 'dist', dir))) walk(dir);
  return removed;
}

module.exports = { pruneDist };
