// FD (fine-tuning on transcripts): SFT on the behaviour's transcripts (the
// chosen side of its pairs as conversations), with general chats at the
// technique's mix ratio; next-token loss on the responses only.
import { behaviourTranscripts, defineObjective, hasTargetWithin, MoltError, mixWithGeneral, nextTokenObjective, sequenceOptions } from '../../../core/public';

export const FD = defineObjective({
  id: 'fd',
  description: "SFT on the behaviour's transcripts (+ general chat), loss on the response only",
  async plan(input) {
    const behaviour = behaviourTranscripts(input);
    if (behaviour.length === 0) throw new MoltError('FD: no behaviour transcript has a response token within the model context', 'transcripts');
    const mixed = mixWithGeneral(input, behaviour, () => input.general.chat().filter((e) => hasTargetWithin(e, input.maxLength)), 'fd');
    return {
      objective: nextTokenObjective(mixed.examples, sequenceOptions(input)),
      mix: { unit: 'transcripts', behaviour: mixed.behaviour, general: mixed.general },
      notes: { loss: 'response-only', general_cycled: mixed.cycled },
    };
  },
});
