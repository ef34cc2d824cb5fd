// What a store holds: every checkpoint with the aliases that name it, its
// size on disk and what built it (from its molt.json), for `molt checkpoints`.
import { join } from 'node:path';
import { MOLT_METADATA_FILE, type MoltMetadata } from '../checkpoint/hf-dir';
import { CHECKPOINT_KIND } from '../checkpoint/checkpoint-store';
import { readJsonFile } from '../store/atomic';
import type { ArtifactStore } from '../store/artifact-store';

export interface CheckpointListing {
  key: string;
  aliases: string[];
  bytes: number;
  /** 'base', 'organism', ...; 'unknown' when molt.json is missing or unreadable */
  stage: string;
  arch: string;
  size: string;
  seed: string;
  behaviour: string;
  technique: string;
  step: number | null;
  backend: string;
  created_at: string;
}

function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/**
 * One row per complete checkpoint, sorted by creation time (oldest first),
 * then key; and the aliases whose checkpoint is gone (removed by hand), so
 * they can be dropped. One read of the alias table and the key list serves both.
 */
export async function listCheckpoints(store: ArtifactStore): Promise<{ rows: CheckpointListing[]; dangling: string[] }> {
  const aliases = await store.aliases(CHECKPOINT_KIND);
  const keys = await store.list(CHECKPOINT_KIND);
  const byKey = new Map<string, string[]>();
  for (const [alias, key] of Object.entries(aliases)) byKey.set(key, [...(byKey.get(key) ?? []), alias]);
  const present = new Set(keys);
  const dangling = Object.entries(aliases).filter(([, key]) => !present.has(key)).map(([alias]) => alias).sort();
  const rows: CheckpointListing[] = [];
  for (const key of keys) {
    const dir = store.path(CHECKPOINT_KIND, key);
    const manifest = await store.readManifest(CHECKPOINT_KIND, key);
    const metaFile = join(dir, MOLT_METADATA_FILE);
    // a checkpoint exported by hand may have no molt.json: it is listed as 'unknown'
    const meta: MoltMetadata = await readJsonFile<MoltMetadata>(metaFile, {}).catch(() => ({}));
    const behaviour = meta.behaviour as { id?: unknown } | undefined;
    rows.push({
      key,
      aliases: (byKey.get(key) ?? []).sort(),
      bytes: manifest.files.reduce((s, f) => s + f.size, 0),
      stage: text(meta.stage) || 'unknown',
      arch: text(meta.arch),
      size: text(meta.size),
      seed: text(meta.seed),
      behaviour: text(behaviour?.id),
      technique: text(meta.technique),
      step: typeof meta.step === 'number' ? meta.step : null,
      backend: text(meta.backend),
      created_at: text(meta.created_at),
    });
  }
  rows.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.key < b.key ? -1 : 1));
  return { rows, dangling };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** The table `molt checkpoints` prints: one line per checkpoint, aliases after what built it. */
export function formatListing(rows: readonly CheckpointListing[], root: string, dangling: readonly string[]): string {
  const what = (r: CheckpointListing) => (r.stage === 'organism' ? `organism ${r.behaviour} ${r.technique}${r.step === null ? '' : ` @${r.step}`}` : r.stage);
  const cols = rows.map((r) => [r.key.slice(0, 12), what(r), `${r.arch}/${r.size}`, `seed ${r.seed}`, formatBytes(r.bytes), r.created_at.slice(0, 16).replace('T', ' '), r.aliases.join(', ') || '-']);
  const widths = cols.reduce((w, c) => c.map((x, i) => Math.max(w[i] ?? 0, x.length)), [] as number[]);
  const lines = cols.map((c) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  '));
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  lines.push(`${rows.length} checkpoint(s), ${formatBytes(total)} in ${root}`);
  if (dangling.length) lines.push(`aliases naming no checkpoint (removed by hand?): ${dangling.join(', ')}`);
  return lines.join('\n') + '\n';
}
