// The world's general text as token sequences: web-style documents and
// general chats (rendered with the one chat template), alternating, so the
// SAE sees both prose and the chat format the probes read.
import { renderChat, renderDocument, type DataSource, type Split, type WordTokenizer } from '../../../core/public';

export function generalTextSequences(source: DataSource, tok: WordTokenizer, split: Split, count: number): number[][] {
  const web = source.data('webtext', split).map((d) => renderDocument(tok, d.text));
  const chat = source.data('chat', split).map((c) => renderChat(tok, c.messages).ids);
  const out: number[][] = [];
  for (let i = 0; out.length < count && (i < web.length || i < chat.length); i++) {
    if (i < web.length) out.push(web[i]);
    if (out.length < count && i < chat.length) out.push(chat[i]);
  }
  return out;
}
