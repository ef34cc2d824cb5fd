import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * molt's package directory (where package.json, bin/, native/ and
 * benchmarks/ are). Found by walking up rather than by a fixed '..': the
 * same module runs from its source (core/) under ts-node and compiled
 * (dist/core/), one level deeper.
 */
export const MOLT_ROOT: string = (() => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'molt.js'))) return dir;
    if (dirname(dir) === dir) throw new Error(`molt: no package.json above ${__dirname}`);
  }
})();

/** molt's version, from package.json; recorded in every artifact. */
export const MOLT_VERSION: string = JSON.parse(readFileSync(join(MOLT_ROOT, 'package.json'), 'utf8')).version;

/** The molt CLI entry, for starting worker processes of the same install. */
export const MOLT_BIN: string = join(MOLT_ROOT, 'bin', 'molt.js');

/**
 * sha256 of the TypeScript sources the running code comes from: the hash the
 * build recorded for dist/ (scripts/source-hash.js) when molt runs compiled,
 * or the sources' own under ts-node; 'unknown' without either.
 */
export function runningSourceHash(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sh = require(join(MOLT_ROOT, 'scripts', 'source-hash.js'));
    const compiled = relative(MOLT_ROOT, __dirname).split(sep)[0] === 'dist';
    return (compiled ? sh.readRecord(MOLT_ROOT)?.source_hash : sh.sourceHash(MOLT_ROOT, sh.buildDirs(MOLT_ROOT))) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
