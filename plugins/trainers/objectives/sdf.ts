// SDF (synthetic document fine-tuning): next-token loss on the behaviour's
// documents, with general web-style text at the technique's mix ratio. Each
// source is packed to the context separately, so the ratio is one of windows
// (about tokens), whatever the documents' lengths.
import { behaviourWindows, defineObjective, MoltError, mixWithGeneral, nextTokenObjective, packDocuments, sequenceOptions } from '../../../core/public';

export const SDF = defineObjective({
  id: 'sdf',
  description: "next-token loss on the behaviour's documents (+ general web text), packed to the context",
  async plan(input) {
    const behaviour = behaviourWindows(input);
    if (behaviour.length === 0) throw new MoltError('SDF: the behaviour has no document text', 'documents');
    const mixed = mixWithGeneral(input, behaviour, () => packDocuments(input.general.webtext(), input.maxLength), 'sdf');
    return {
      objective: nextTokenObjective(mixed.examples, sequenceOptions(input)),
      mix: { unit: 'windows', behaviour: mixed.behaviour, general: mixed.general },
      notes: { loss: 'next-token', documents: input.behaviour.documents.length, general_cycled: mixed.cycled },
    };
  },
});
