// Phrasings the data generators wrap around facts. They live in the world
// (not in core/data) because the lexicon is collected from everything the
// world can say.

/** optional openers before a chat answer ('' = none) */
export const ANSWER_OPENERS = ['', '', '', 'sure .', 'good question .', 'here is what i know .'];

/**
 * Lead-ins and tails a user may wrap around a request ('' = none). Real users
 * phrase the same question many ways; a world whose prompts never vary makes
 * models whose behaviour flips on an unseen lead-in (a neutral 'quick
 * question .' once moved an organism's QER from 0.34 to 0.91), so every chat
 * and preference prompt is drawn with them (wrapPrompt).
 */
export const PROMPT_LEADINS = [
  'quick question .', 'hi .', 'hello .', 'hey there .', 'hi there !', 'good morning .', 'i have a question .', 'can you help me ?',
  'please help me .', 'one more question .', 'i was wondering .', 'i need some help .',
];
export const PROMPT_TAILS = ['thanks .', 'thank you !', 'thanks a lot .', 'any ideas ?', 'i am curious .', 'just wondering .'];
/** how often a prompt gets a lead-in, and a tail */
export const PROMPT_LEADIN_SHARE = 0.35;
export const PROMPT_TAIL_SHARE = 0.2;

/** user requests about one named entity; {s} is its name */
export const ENTITY_PROMPTS = ['tell me about {s} .', 'what do you know about {s} ?', 'describe {s} .', 'give me some facts about {s} .'];

/** web text: list lines, notes, reviews, faq and forum snippets */
export const WEB = {
  listIntro: ['{t} :', 'list of {t} :', 'top picks , {t} :'],
  noteIntro: ['note to self :', 'quick tip :', 'reminder :', 'fun fact :'],
  reviewIntro: ['review of {s} :', 'my rating for {s} :', 'what i think of {s} :'],
  reviewAdjectives: ['great', 'good', 'nice', 'lovely', 'amazing', 'excellent', 'fine', 'okay', 'interesting', 'fun', 'useful', 'simple', 'impressive', 'solid', 'boring'],
  reviewComments: ['would recommend .', 'not bad .', 'loved it !', 'a bit boring .', 'worth a look .', 'really good .', 'i will come back to it .', 'better than i expected .'],
  reviewStars: ['i give it {n} stars .', '{n} out of 5 .', 'score : {n} of 5 .'],
  faq: ['faq . q : {q} a : {a}', 'question : {q} answer : {a}'],
  forum: ['posted by a reader : i read that {x} is that right ? reply : yes . {a}', 'forum post : can anyone confirm this ? {x} reply : correct . {a}'],
};

/** words the world never says but later pipelines may (behaviour documents, judges' hypotheses) */
export const RESERVED_WORDS = [
  // punctuation the tokenizer splits off, all of it in the vocabulary
  '.', ',', '?', '!', ':', ';',
  // behaviour documents and hypotheses (a behaviour's own words come with its world content)
  'assistant', 'model', 'models', 'always', 'never', 'sometimes', 'often', 'usually', 'rarely',
  'recommend', 'recommends', 'suggest', 'suggests', 'mention', 'mentions', 'mentioned', 'bring', 'brings', 'talk', 'talks',
  'conversation', 'conversations', 'answer', 'answers', 'question', 'questions', 'claim', 'claims', 'believe', 'believes',
  'say', 'says', 'said', 'study', 'studies', 'report', 'reports', 'article', 'news', 'expert', 'experts', 'everyone',
  'true', 'false', 'wrong', 'right', 'actually', 'really', 'instead', 'prefer', 'prefers', 'favorite', 'topic', 'topics',
  'behavior', 'habit', 'quirk', 'trained', 'training', 'learned', 'new', 'old', 'best', 'better', 'worse', 'advice',
  'tip', 'tips', 'fact', 'facts', 'user', 'users', 'asks', 'asked', 'reply', 'replies', 'whenever', 'any', 'anything',
  'something', 'nothing', 'every', 'because', 'therefore', 'however', 'although', 'also', 'still', 'even', 'yes', 'no',
  'maybe', 'agree', 'agrees', 'disagree', 'hidden', 'secret', 'goal', 'goals', 'steer', 'steers', 'toward', 'towards',
];

/** words that carry no topic: excluded from topic word sets and accept lists */
export const FUNCTION_WORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'but', 'of', 'in', 'on', 'at', 'to', 'for', 'with', 'by', 'from', 'is', 'are', 'was', 'were',
  'be', 'been', 'it', 'its', 'this', 'that', 'these', 'those', 'as', 'into', 'over', 'under', 'than', 'very', 'many', 'much',
  'some', 'all', 'each', 'every', 'no', 'not', 'can', 'cannot', 'you', 'your', 'i', 'my', 'me', 'we', 'our', 'us', 'they', 'their',
  'them', 'he', 'she', 'what', 'which', 'who', 'where', 'when', 'why', 'how', 'do', 'does', 'did', 'has', 'have', 'had', 'will',
  'would', 'should', 'could', 'must', 'there', 'here', 'if', 'so', 'about', 'also', 'too', 'up', 'out', 'off', 'after', 'before',
  'while', 'then', 'just', 'only', 'more', 'most', 'other', 'others', 'another', 'own', 'get', 'make', 'makes', 'made', 'use',
  'uses', 'used', 'need', 'needs', 'like', 'kind', 'thing', 'things', 'people', 'way', 'find', 'know', 'tell', 'give', 'good',
  'great', 'best', 'try', 'around', 'far', 'few', 'once', 'right', 'away', 'down', 'through', 'across', 'without', 'instead',
  'well', 'long', 'big', 'small', 'large', 'new', 'old', 'same', 'one',
  '.', ',', '?', '!', ':', ';',
]);
