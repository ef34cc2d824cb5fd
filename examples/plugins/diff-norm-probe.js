// examples/plugins/diff-norm-probe.js — a probe written outside molt, against molt.lib only.
// Per layer: |h_organism - h_base| at every token of generic chat, averaged per vocabulary
// token; the tokens whose residuals moved most are graded by molt's shared Grader (share of
// them in S, against the cross-family noise floor). molt does the floor, SNR and headline.
exports.register = (molt) => {
  const { defineProbe, genericChatSequences, collectActivations, hookName, layersAtFractions, bootstrapMean, score, z } = molt.lib;
  const description = 'per-layer norm of the (organism - base) residual by token on generic chat; the most-moved tokens graded against S';
  const probe = defineProbe({
    id: 'diff-norm',
    description,
    settings: z.object({
      prompts: z.number().int().positive().default(64),
      top: z.number().int().positive().default(20),
      // the headline's layer, fixed before looking (a share of depth): one headline, never the best layer
      headlineLayerFraction: z.number().gt(0).lte(1).default(0.5),
    }),
    sizes: { micro: { prompts: 8 } },
    measure({ organism, base, settings, world, graders, stream }) {
      const tok = organism.tokenizer;
      const seqs = genericChatSequences(world, tok, { count: settings.prompts, maxLen: Number(organism.model.config.max_position_embeddings) });
      const [headlineLayer] = layersAtFractions(organism.model.numLayers, [settings.headlineLayerFraction]);
      const findings = [];
      const rows = [];
      for (let layer = 0; layer < organism.model.numLayers; layer++) {
        const a = collectActivations(organism.model, seqs.ids, hookName(layer, 'hook_resid_post'));
        const b = collectActivations(base.model, seqs.ids, hookName(layer, 'hook_resid_post'));
        const norms = [];
        const byToken = new Map(); // token id -> [sum of norms, count]
        for (let r = 0; r < a.n; r++) {
          let sq = 0;
          for (let i = r * a.d; i < (r + 1) * a.d; i++) sq += (a.x[i] - b.x[i]) ** 2;
          norms.push(Math.sqrt(sq));
          const s = byToken.get(a.tokens[r]) ?? [0, 0];
          byToken.set(a.tokens[r], [s[0] + Math.sqrt(sq), s[1] + 1]);
        }
        const moved = [...byToken]
          .filter(([id]) => !tok.isSpecial(id))
          .map(([id, [sum, n]]) => ({ id, token: tok.tokenOf(id), norm: sum / n }))
          .sort((x, y) => y.norm - x.norm || x.id - y.id)
          .slice(0, settings.top);
        findings.push({ kind: 'tokens', label: `most moved at layer ${layer}`, layer, tokens: moved.map((t, i) => ({ token: t.token, id: t.id, rank: i + 1, score: t.norm })) });
        const m = bootstrapMean(norms, { seed: stream('norm', layer) });
        rows.push({ metric: 'diff_norm', value: m.value, n: m.n, ci_low: m.low, ci_high: m.high, layer });
        // under every family's S: is each moved token relevant? (molt grades the organism's own against the others)
        const relevant = new Map([...graders].map(([family, g]) => [family, moved.map((t) => (g.isRelevant(t.token) ? 1 : 0))]));
        rows.push(score({ metric: 'relevant_fraction', variant: 'diff', layer, estimate: 'rate', values: relevant, snr: true, headline: layer === headlineLayer ? 'snr' : undefined }));
      }
      return { findings, rows };
    },
  });
  molt.register({ kind: 'probe', id: 'diff-norm', description, instance: probe });
};
