// The one chat template molt uses, in token ids:
//   <bos> <|user|> {user words} <|assistant|> {assistant words} <eos> [<|user|> ... <|assistant|> ... <eos>]...
// Documents (pretraining, web text) are <bos> {text} <eos>.
// A loss mask is aligned with the ids: mask[i] = 1 means ids[i] is a training
// target (predicted from position i-1). Assistant words and their <eos> are
// targets; <bos>, role tokens and user words are not.
import { MoltError } from '../errors';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { ChatMessage, PreferencePair } from './types';

export interface RenderedChat {
  ids: number[];
  lossMask: number[];
}

export interface RenderedPreference {
  /** <bos> <|user|> prompt <|assistant|> */
  prompt: number[];
  /** chosen words <eos> */
  chosen: number[];
  /** rejected words <eos> */
  rejected: number[];
}

function words(tok: WordTokenizer, text: string): number[] {
  return tok.encode(text);
}

/**
 * A conversation with its loss mask. Messages alternate user/assistant,
 * starting with the user. With maxLen the sequence keeps its first maxLen
 * tokens (the prompt survives, the answer's tail is cut); a row whose mask is
 * all zero carries no signal and callers should skip it.
 */
export function renderChat(tok: WordTokenizer, messages: readonly ChatMessage[], opts: { maxLen?: number } = {}): RenderedChat {
  checkTurns(messages);
  const ids = [tok.specials.bos];
  const lossMask = [0];
  for (const m of messages) {
    if (m.role === 'user') {
      const w = [tok.specials.user, ...words(tok, m.content)];
      ids.push(...w);
      lossMask.push(...w.map(() => 0));
    } else {
      ids.push(tok.specials.assistant);
      lossMask.push(0);
      const w = [...words(tok, m.content), tok.specials.eos];
      ids.push(...w);
      lossMask.push(...w.map(() => 1));
    }
  }
  if (opts.maxLen !== undefined && ids.length > opts.maxLen) return { ids: ids.slice(0, opts.maxLen), lossMask: lossMask.slice(0, opts.maxLen) };
  return { ids, lossMask };
}

/** Ids of a prompt for generation: the conversation so far (ending with a user turn), then <|assistant|>. */
export function renderPrompt(tok: WordTokenizer, messages: readonly ChatMessage[] | string): number[] {
  const msgs: readonly ChatMessage[] = typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages;
  if (msgs.length === 0 || msgs[msgs.length - 1].role !== 'user') throw new MoltError('chat template: a prompt must end with a user message', 'messages');
  return [...renderChat(tok, msgs).ids, tok.specials.assistant];
}

/** Ids of an assistant response: its words then <eos>. */
export function renderResponse(tok: WordTokenizer, text: string): number[] {
  return [...words(tok, text), tok.specials.eos];
}

/**
 * A preference pair as prompt ids and the two response ids. With maxLen each
 * response is cut to maxLen - prompt length (the prompt is never cut); a
 * prompt that leaves no room is an error naming the pair.
 */
export function renderPreference(tok: WordTokenizer, pair: Pick<PreferencePair, 'prompt' | 'chosen' | 'rejected'> & { id?: string }, opts: { maxLen?: number } = {}): RenderedPreference {
  const prompt = renderPrompt(tok, pair.prompt);
  let chosen = renderResponse(tok, pair.chosen);
  let rejected = renderResponse(tok, pair.rejected);
  if (opts.maxLen !== undefined) {
    const room = opts.maxLen - prompt.length;
    if (room < 1) throw new MoltError(`chat template: the prompt of preference pair ${pair.id ?? '?'} has ${prompt.length} tokens, no room under maxLen ${opts.maxLen}`, pair.id);
    chosen = chosen.slice(0, room);
    rejected = rejected.slice(0, room);
  }
  return { prompt, chosen, rejected };
}

/** A document (pretraining or web text): <bos> words <eos>. */
export function renderDocument(tok: WordTokenizer, text: string): number[] {
  return [tok.specials.bos, ...words(tok, text), tok.specials.eos];
}

export interface PackedRows {
  /** rows of exactly maxLen ids */
  rows: number[][];
  /** 1 on real tokens, 0 on the padding of the last row */
  lossMask: number[][];
}

/**
 * Packing policy for documents: concatenate the rendered documents in order
 * and cut the stream into rows of exactly maxLen tokens; a document may span
 * two rows (each keeps its <bos>/<eos> markers, so the model sees where
 * documents end). Only the last row is padded, with <pad> and mask 0.
 */
export function packDocuments(docs: readonly (readonly number[])[], maxLen: number, padId: number): PackedRows {
  if (!(Number.isInteger(maxLen) && maxLen > 1)) throw new MoltError(`packDocuments: maxLen must be an integer > 1, got ${maxLen}`, 'maxLen');
  const stream = docs.flat();
  const rows: number[][] = [];
  const lossMask: number[][] = [];
  for (let i = 0; i < stream.length; i += maxLen) {
    const row = stream.slice(i, i + maxLen);
    const mask = row.map(() => 1);
    while (row.length < maxLen) {
      row.push(padId);
      mask.push(0);
    }
    rows.push(row);
    lossMask.push(mask);
  }
  return { rows, lossMask };
}

/** Right-pad sequences to one length (the longest, or `len`), with a mask of real tokens; longer ones are cut. */
export function padRight(seqs: readonly (readonly number[])[], padId: number, len?: number): { rows: number[][]; mask: number[][] } {
  const L = len ?? Math.max(0, ...seqs.map((s) => s.length));
  const rows = seqs.map((s) => [...s.slice(0, L), ...new Array(Math.max(0, L - s.length)).fill(padId)]);
  const mask = seqs.map((s) => [...new Array(Math.min(L, s.length)).fill(1), ...new Array(Math.max(0, L - s.length)).fill(0)]);
  return { rows, mask };
}

/** Turns alternate, user first: a one-line error naming the first message that breaks it. */
export function checkTurns(messages: readonly ChatMessage[]): void {
  messages.forEach((m, i) => {
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (m.role !== expected) throw new MoltError(`chat template: message ${i} has role '${m.role}', expected '${expected}' (turns alternate, user first)`, `messages[${i}].role`);
  });
}
