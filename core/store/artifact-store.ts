// A content-addressed store of artifacts (checkpoints, datasets, eval
// results), laid out as
//   <root>/<kind>/<key>/            a directory artifact, with manifest.json
//   <root>/<kind>/<key>.json        a single-file JSON artifact
//   <root>/<kind>/aliases.json      human-readable names -> keys
//   <root>/<kind>/.work/<key>/      partial state of an unfinished build
//   <root>/<kind>/.<name>.tmp-*     builds in progress (never read)
// Keys are normally contentHash(...) values. A directory artifact appears
// only by an atomic rename of a finished build, so readers never see half of
// one, and the first of two concurrent builders of the same key wins.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { MoltError } from '../errors';
import { readJsonFile, tempName, withFileLock, writeJsonAtomic } from './atomic';
import { checkManifest, computeManifest, MANIFEST_FILE, type Manifest } from './manifest';

export const ALIASES_FILE = 'aliases.json';
const WORK_DIR = '.work';
const KIND_RE = /^[a-z0-9][a-z0-9_-]*$/;
/** no dots: keeps `<key>` and `<key>.json` from ever colliding */
const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ALIAS_RE = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/;
/** the shortest key prefix resolve() accepts, git-style */
const MIN_PREFIX = 6;

export interface ArtifactStoreOptions {
  /** store directory; default $MOLT_STORE, else <cwd>/.molt/store */
  root?: string;
}

export interface Resolved {
  /** how the id was understood */
  by: 'key' | 'alias' | 'prefix' | 'path';
  /** the artifact's key (absent for a plain path) */
  key?: string;
  /** absolute path of the directory */
  path: string;
}

export interface WriteResult {
  path: string;
  /** false when the artifact already existed (this call or a concurrent one built it first) */
  created: boolean;
}

export class ArtifactStore {
  readonly root: string;

  /** `new ArtifactStore('/some/dir')` or `new ArtifactStore({ root })`. */
  constructor(opts: string | ArtifactStoreOptions = {}) {
    const root = typeof opts === 'string' ? opts : opts.root;
    this.root = resolve(root ?? process.env.MOLT_STORE ?? join(process.cwd(), '.molt', 'store'));
  }

  private kindDir(kind: string): string {
    if (!KIND_RE.test(kind)) throw new MoltError(`store: kind '${kind}' must be lower-case letters, digits, '-' or '_'`, kind);
    return join(this.root, kind);
  }

  private checkKey(kind: string, key: string): void {
    if (!KEY_RE.test(key) || key === 'aliases') {
      throw new MoltError(`store: key '${key}' for ${kind} must be letters, digits, '-' or '_' (and not 'aliases')`, `${kind}/${key}`);
    }
  }

  /** where a directory artifact lives (whether or not it exists) */
  path(kind: string, key: string): string {
    this.checkKey(kind, key);
    return join(this.kindDir(kind), key);
  }

  /** where a JSON artifact lives */
  jsonPath(kind: string, key: string): string {
    return this.path(kind, key) + '.json';
  }

  /** true when a complete directory artifact or a JSON artifact exists */
  has(kind: string, key: string): boolean {
    return this.hasDir(kind, key) || existsSync(this.jsonPath(kind, key));
  }

  /** true when a complete directory artifact exists (its manifest is written last, inside the rename) */
  hasDir(kind: string, key: string): boolean {
    return existsSync(join(this.path(kind, key), MANIFEST_FILE));
  }

  /**
   * Throw when `kind/key` is a directory without its manifest (damaged, or
   * left by hand): a build of that key could not be published over it, so a
   * builder calls this before it spends any time.
   */
  refuseIncomplete(kind: string, key: string): void {
    if (existsSync(this.path(kind, key)) && !this.hasDir(kind, key)) throw this.incomplete(kind, key);
  }

  private incomplete(kind: string, key: string): MoltError {
    return new MoltError(`store: ${this.path(kind, key)} exists but is not a complete artifact (no ${MANIFEST_FILE}); remove it`, `${kind}/${key}`);
  }

  /**
   * Build a directory artifact atomically: `build` fills a fresh temporary
   * directory on the same file system; then the manifest is written and the
   * directory renamed into place. If build throws, nothing is left behind.
   * If the key already exists (before, or by a concurrent writer finishing
   * first), the existing artifact is kept and `created` is false.
   */
  async writeDir(kind: string, key: string, build: (tmpDir: string) => Promise<void>): Promise<WriteResult> {
    const final = this.path(kind, key);
    if (this.hasDir(kind, key)) return { path: final, created: false };
    await mkdir(this.kindDir(kind), { recursive: true });
    const tmp = join(this.kindDir(kind), tempName(key));
    await mkdir(tmp);
    try {
      await build(tmp);
      if (existsSync(join(tmp, MANIFEST_FILE))) throw new MoltError(`store: ${kind}/${key}: the builder wrote ${MANIFEST_FILE}, a name the store reserves`, `${kind}/${key}`);
      await writeJsonAtomic(join(tmp, MANIFEST_FILE), await computeManifest(tmp, { sync: true }));
      try {
        await rename(tmp, final);
        return { path: final, created: true };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && this.hasDir(kind, key)) return { path: final, created: false };
        if (code === 'ENOTEMPTY' || code === 'EEXIST') throw this.incomplete(kind, key);
        throw e;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async readManifest(kind: string, key: string): Promise<Manifest> {
    if (!this.hasDir(kind, key)) throw new MoltError(`store: no directory artifact ${kind}/${key} in ${this.root}`, `${kind}/${key}`);
    return readJsonFile<Manifest>(join(this.path(kind, key), MANIFEST_FILE));
  }

  /** Re-hash every file of a directory artifact; throws a MoltError naming the artifact and file on any mismatch. */
  async verify(kind: string, key: string): Promise<Manifest> {
    const manifest = await this.readManifest(kind, key);
    await checkManifest(this.path(kind, key), manifest, `${kind}/${key}`);
    return manifest;
  }

  /** Write (or atomically replace) a single-file JSON artifact. */
  async writeJson(kind: string, key: string, value: unknown): Promise<string> {
    const file = this.jsonPath(kind, key);
    await mkdir(this.kindDir(kind), { recursive: true });
    await writeJsonAtomic(file, value);
    return file;
  }

  async readJson<T = unknown>(kind: string, key: string): Promise<T> {
    const file = this.jsonPath(kind, key);
    if (!existsSync(file)) throw new MoltError(`store: no JSON artifact ${kind}/${key} in ${this.root}`, `${kind}/${key}`);
    return readJsonFile<T>(file);
  }

  /** keys of the complete artifacts of a kind (directory and JSON), sorted */
  async list(kind: string): Promise<string[]> {
    const dir = this.kindDir(kind);
    if (!existsSync(dir)) return [];
    const keys = new Set<string>();
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === ALIASES_FILE) continue;
      if (e.isDirectory() && existsSync(join(dir, e.name, MANIFEST_FILE))) keys.add(e.name);
      else if (e.isFile() && e.name.endsWith('.json') && KEY_RE.test(e.name.slice(0, -5))) keys.add(e.name.slice(0, -5));
    }
    return [...keys].sort();
  }

  /** Delete an artifact: moved aside first, so it disappears at once. */
  async remove(kind: string, key: string): Promise<void> {
    const final = this.path(kind, key);
    if (existsSync(final)) {
      const trash = join(this.kindDir(kind), tempName(`${key}.removed`));
      await rename(final, trash);
      await rm(trash, { recursive: true, force: true });
    }
    await rm(this.jsonPath(kind, key), { force: true });
  }

  // --- partial state of interrupted builds -------------------------------

  /**
   * A directory that persists across runs for a build that has not finished
   * (e.g. step checkpoints of an interrupted training run). The caller
   * removes it with removeWorkDir once the artifact is written.
   */
  async workDir(kind: string, key: string): Promise<string> {
    this.checkKey(kind, key);
    const dir = join(this.kindDir(kind), WORK_DIR, key);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Run `build` holding the artifact's build lock, so two processes (two
   * workers, or a bench and a hand-run command on one store) never train
   * into the same work directory: the second waits, then usually finds the
   * artifact written. The lock is held for the whole build, so it is never
   * judged stale by age; a crashed holder on this host is detected by pid.
   */
  async withBuildLock<T>(kind: string, key: string, build: () => Promise<T>, onWait?: (holder: string) => void): Promise<T> {
    this.checkKey(kind, key);
    const dir = join(this.kindDir(kind), WORK_DIR);
    await mkdir(dir, { recursive: true });
    return withFileLock(join(dir, `${key}.lock`), build, { timeoutMs: 7 * 24 * 3600_000, staleMs: Infinity, onWait });
  }

  async removeWorkDir(kind: string, key: string): Promise<void> {
    this.checkKey(kind, key);
    await rm(join(this.kindDir(kind), WORK_DIR, key), { recursive: true, force: true });
  }

  /** Remove temporary build directories older than maxAgeMs left by crashed writers; returns how many. */
  async removeStaleTemp(kind: string, maxAgeMs = 24 * 3600_000): Promise<number> {
    const dir = this.kindDir(kind);
    if (!existsSync(dir)) return 0;
    let n = 0;
    for (const name of await readdir(dir)) {
      if (!name.startsWith('.') || !name.includes('.tmp-')) continue;
      const full = join(dir, name);
      if (Date.now() - (await stat(full)).mtimeMs > maxAgeMs) {
        await rm(full, { recursive: true, force: true });
        n++;
      }
    }
    return n;
  }

  // --- aliases -------------------------------------------------------------

  async aliases(kind: string): Promise<Record<string, string>> {
    return readJsonFile<Record<string, string>>(join(this.kindDir(kind), ALIASES_FILE), {});
  }

  /**
   * Point `alias` (e.g. 'olmo2/default/base') at an existing directory
   * artifact, replacing an earlier target. Returns the key it named before
   * when that was another artifact, so the caller can say that it moved.
   */
  async setAlias(kind: string, alias: string, key: string): Promise<string | undefined> {
    if (!ALIAS_RE.test(alias)) throw new MoltError(`store: alias '${alias}' must start with a letter or digit and use letters, digits and . _ / : @ + -`, alias);
    if (!this.hasDir(kind, key)) throw new MoltError(`store: cannot alias '${alias}' to ${kind}/${key}: no such artifact`, `${kind}/${key}`);
    let previous: string | undefined;
    await this.updateAliases(kind, (table) => {
      if (table[alias] !== undefined && table[alias] !== key) previous = table[alias];
      table[alias] = key;
    });
    return previous;
  }

  async removeAlias(kind: string, alias: string): Promise<void> {
    await this.updateAliases(kind, (table) => {
      delete table[alias];
    });
  }

  private async updateAliases(kind: string, change: (table: Record<string, string>) => void): Promise<void> {
    const dir = this.kindDir(kind);
    await mkdir(dir, { recursive: true });
    const file = join(dir, ALIASES_FILE);
    // read-modify-write: the lock keeps concurrent updates from losing each other
    await withFileLock(join(dir, '.aliases.lock'), async () => {
      const table = await readJsonFile<Record<string, string>>(file, {});
      change(table);
      const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      await writeJsonAtomic(file, sorted);
    });
  }

  // --- resolution ------------------------------------------------------------

  /**
   * What a user-given id names: a key, an alias, a unique key prefix (>= 6
   * characters), or a path to a directory (e.g. an exported HF checkpoint).
   * Ids starting with '/', '.' or '~' are paths only.
   */
  async resolve(kind: string, id: string): Promise<Resolved> {
    const asPath = (p: string): Resolved | undefined => {
      const full = resolve(p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);
      return existsSync(full) && statSync(full).isDirectory() ? { by: 'path', path: full } : undefined;
    };
    if (isAbsolute(id) || id.startsWith('.') || id.startsWith('~')) {
      const found = asPath(id);
      if (!found) throw new MoltError(`${kind}: directory ${id} does not exist`, id);
      return found;
    }
    if (KEY_RE.test(id) && id !== 'aliases' && this.hasDir(kind, id)) {
      return { by: 'key', key: id, path: this.path(kind, id) };
    }
    const table = await this.aliases(kind);
    if (Object.prototype.hasOwnProperty.call(table, id)) {
      const key = table[id];
      if (!this.hasDir(kind, key)) throw new MoltError(`${kind}: alias '${id}' points to ${key}, which is not in the store ${this.root}`, id);
      return { by: 'alias', key, path: this.path(kind, key) };
    }
    if (id.length >= MIN_PREFIX && KEY_RE.test(id)) {
      const matches = (await this.list(kind)).filter((k) => k.startsWith(id) && this.hasDir(kind, k));
      if (matches.length === 1) return { by: 'prefix', key: matches[0], path: this.path(kind, matches[0]) };
      if (matches.length > 1) throw new MoltError(`${kind}: '${id}' is ambiguous (${matches.slice(0, 5).join(', ')}...)`, id);
    }
    const found = asPath(id);
    if (found) return found;
    const known = Object.keys(table);
    throw new MoltError(
      `${kind}: '${id}' is not a key, alias or directory` + (known.length ? ` (aliases: ${known.slice(0, 20).join(', ')})` : '') + ` in store ${this.root}`,
      id,
    );
  }
}
