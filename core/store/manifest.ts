// manifest.json: sha256 and size of every file of a directory artifact, so a
// corrupted or tampered checkpoint is caught before anyone trusts it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MoltError } from '../errors';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestEntry {
  /** relative path with '/' separators */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  version: 1;
  files: ManifestEntry[];
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every regular file under dir except the manifest, sorted; links and other special files are refused. */
async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, path)));
    else if (entry.isFile()) {
      if (path !== MANIFEST_FILE) out.push(path);
    } else throw new MoltError(`${join(dir, path)}: artifacts may hold only regular files and directories`, join(dir, path));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Compute the manifest of dir's current contents. With sync, also fsync each file (before it is published). */
export async function computeManifest(dir: string, opts: { sync?: boolean } = {}): Promise<Manifest> {
  const files: ManifestEntry[] = [];
  for (const path of await listFiles(dir)) {
    const full = join(dir, path);
    if (opts.sync) {
      const fh = await open(full, 'r');
      await fh.sync();
      await fh.close();
    }
    files.push({ path, size: (await lstat(full)).size, sha256: await sha256File(full) });
  }
  return { version: 1, files };
}

/**
 * Compare dir with its recorded manifest. Throws a MoltError naming `label`
 * (e.g. checkpoints/<key>) and the first file that is missing, extra, or
 * differs in size or hash.
 */
export async function checkManifest(dir: string, recorded: Manifest, label: string): Promise<void> {
  const fail = (path: string, what: string): never => {
    throw new MoltError(`artifact ${label}: file '${path}' ${what}; the artifact is corrupted (remove it and rebuild)`, `${label}/${path}`);
  };
  const actual = await computeManifest(dir);
  const byPath = new Map(actual.files.map((f) => [f.path, f]));
  for (const want of recorded.files) {
    const have = byPath.get(want.path);
    if (!have) fail(want.path, 'is missing');
    else if (have.size !== want.size) fail(want.path, `has ${have.size} bytes, the manifest says ${want.size}`);
    else if (have.sha256 !== want.sha256) fail(want.path, 'does not match its sha256 in the manifest');
    byPath.delete(want.path);
  }
  for (const extra of byPath.keys()) fail(extra, 'is not in the manifest');
}
