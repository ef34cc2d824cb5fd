// Asking an oracle a question about injected activations: greedy decoding of
// a short answer with the norm-matched injection at the placeholders.
import { generate, type CausalLM, type WordTokenizer } from '../../../core/public';
import { injectionInterventions } from './inject';
import { oracleRow } from './train';

export interface AskOptions {
  slots: number;
  injectHook: string;
  coefficient: number;
  /** |h| at the placeholders (placeholderNorms of this oracle) */
  norms: readonly number[];
  maxNewTokens: number;
}

/** The oracle's answer (text, special tokens dropped) to `question` about `vectors` ([slots, d]). */
export function askOracle(oracle: CausalLM, tok: WordTokenizer, vectors: Float32Array, question: string, opts: AskOptions): string {
  const prompt = oracleRow(tok, opts.slots, question).ids;
  const interventions = injectionInterventions(opts.injectHook, vectors, oracle.hiddenSize, opts.norms, opts.coefficient);
  const [answer] = generate(oracle, [prompt], { maxNewTokens: opts.maxNewTokens, seed: 0, temperature: 0, greedy: true, eosId: tok.specials.eos, interventions, padId: tok.specials.pad });
  return tok.decode(answer, { skipSpecial: true });
}
