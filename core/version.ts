import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** molt's version, from package.json; recorded in every artifact. */
export const MOLT_VERSION: string = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;

/** The molt CLI entry, for starting worker processes of the same install. */
export const MOLT_BIN: string = join(__dirname, '..', 'bin', 'molt.js');
