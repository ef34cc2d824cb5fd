// Real data in place of the synthetic world: a directory of JSONL files
// ({kind}.{split}.jsonl, docs/DATA.md) becomes what the base pipeline needs
// (data, a tokenizer and the on-topic judge).
//   - tokenizer: the lexicon of world.json when present (an exported world),
//     else every word of the data, sorted, so the ids do not depend on order;
//   - topics: world.json's topic word sets when present, else words derived
//     from the training data: those at least 3x more frequent within a
//     topic's texts than in all other topics' texts, seen at least 3 times
//     there (a rate against the rest, not the whole, so that the rule also
//     works with two topics).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MoltError } from '../errors';
import { WordTokenizer } from '../tokenizer/word-tokenizer';
import { buildTopicIndex, isOnTopic, type TopicIndex } from '../world/on-topic';
import { sha256Hex } from '../store/content-hash';
import { JsonlDataSource, dataFileName } from './jsonl';
import { DATA_KINDS, SPLITS, type DataKind, type DataKindMap, type Split } from './types';

const MIN_RATIO = 3;
const MIN_COUNT = 3;

/** The texts of a record, and the topic they belong to. */
function textsOf(kind: DataKind, r: any): string[] {
  switch (kind) {
    case 'pretrain':
    case 'webtext':
      return [r.text];
    case 'chat':
      return r.messages.map((m: { content: string }) => m.content);
    case 'preference':
      return [r.prompt, r.chosen, r.rejected];
    case 'fact-question':
      return [r.prompt, r.answer, ...r.accept];
  }
}

export class JsonlWorld {
  readonly tokenizer: WordTokenizer;
  readonly topicIndex: TopicIndex;
  readonly seed: string;
  private readonly source: JsonlDataSource;
  private readonly fingerprint: string;

  constructor(readonly dir: string) {
    if (!existsSync(dir)) throw new MoltError(`--data ${dir}: directory not found`, dir);
    this.source = new JsonlDataSource(dir);
    const present = DATA_KINDS.flatMap((k) => SPLITS.map((s) => [k, s] as const)).filter(([k, s]) => existsSync(join(dir, dataFileName(k, s))));
    if (present.length === 0) throw new MoltError(`--data ${dir}: no {kind}.{split}.jsonl files (see docs/DATA.md)`, dir);
    const manifestFile = join(dir, 'world.json');
    const manifest = existsSync(manifestFile) ? this.readManifest(manifestFile) : undefined;
    const words = manifest?.lexicon ?? this.dataWords(present);
    this.tokenizer = new WordTokenizer(words);
    this.topicIndex = manifest?.topics ? buildTopicIndex(manifest.topics) : this.derivedTopics();
    // The data's identity for content hashes: every file's bytes.
    this.fingerprint = sha256Hex(present.map(([k, s]) => `${k}.${s}:${sha256Hex(readFileSync(join(dir, dataFileName(k, s))))}`).join('\n'));
    this.seed = `jsonl:${this.fingerprint.slice(0, 16)}`;
  }

  private readManifest(file: string): { lexicon?: string[]; topics?: { id: string; words: string[] }[] } {
    try {
      const m = JSON.parse(readFileSync(file, 'utf8'));
      if (m.lexicon !== undefined && !(Array.isArray(m.lexicon) && m.lexicon.every((w: unknown) => typeof w === 'string'))) throw new Error("field 'lexicon' must be an array of words");
      if (m.topics !== undefined && !(Array.isArray(m.topics) && m.topics.every((t: any) => typeof t?.id === 'string' && Array.isArray(t?.words)))) throw new Error("field 'topics' must be [{id, words}]");
      return m;
    } catch (e) {
      throw new MoltError(`${file}: ${(e as Error).message}`, file);
    }
  }

  private dataWords(present: readonly (readonly [DataKind, Split])[]): string[] {
    const seen = new Set<string>();
    for (const [k, s] of present) {
      for (const r of this.source.data(k, s)) for (const t of textsOf(k, r)) for (const w of WordTokenizer.split(t)) if (!(w.startsWith('<') && w.endsWith('>'))) seen.add(w);
    }
    return [...seen].sort();
  }

  private derivedTopics(): TopicIndex {
    const overall = new Map<string, number>();
    const perTopic = new Map<string, Map<string, number>>();
    let total = 0;
    for (const kind of ['pretrain', 'chat', 'webtext'] as const) {
      if (!existsSync(join(this.dir, dataFileName(kind, 'train')))) continue;
      for (const r of this.source.data(kind, 'train') as { topic: string }[]) {
        const counts = perTopic.get(r.topic) ?? new Map<string, number>();
        perTopic.set(r.topic, counts);
        for (const t of textsOf(kind, r)) {
          for (const w of WordTokenizer.split(t)) {
            overall.set(w, (overall.get(w) ?? 0) + 1);
            counts.set(w, (counts.get(w) ?? 0) + 1);
            total++;
          }
        }
      }
    }
    const topics = [...perTopic].map(([id, counts]) => {
      const size = [...counts.values()].reduce((a, b) => a + b, 0);
      const restSize = total - size;
      const words = [...counts]
        .filter(([w, n]) => n >= MIN_COUNT && n * restSize >= MIN_RATIO * ((overall.get(w) ?? 0) - n) * size)
        .map(([w]) => w)
        .sort();
      return { id, words };
    });
    return buildTopicIndex(topics);
  }

  data<K extends DataKind>(kind: K, split: Split): DataKindMap[K][] {
    return this.source.data(kind, split);
  }

  isOnTopic(answer: string, topic: string): boolean {
    return isOnTopic(answer, topic, this);
  }

  describe(): unknown {
    return { source: 'jsonl', fingerprint: this.fingerprint };
  }
}
