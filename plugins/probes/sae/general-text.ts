// The world's general text as token sequences: web-style documents and
// general chats (rendered with the model's chat template), alternating, so the
// SAE sees both prose and the chat format the probes read.
import { chatFormat, type DataSource, type Split, type TextTokenizer } from '../../../core/public';

export function generalTextSequences(source: DataSource, tok: TextTokenizer, split: Split, count: number): number[][] {
  const format = chatFormat(tok);
  const web = source.data('webtext', split).map((d) => format.document(d.text));
  const chat = source.data('chat', split).map((c) => format.conversation(c.messages).ids);
  const out: number[][] = [];
  for (let i = 0; out.length < count && (i < web.length || i < chat.length); i++) {
    if (i < web.length) out.push(web[i]);
    if (out.length < count && i < chat.length) out.push(chat[i]);
  }
  return out;
}
