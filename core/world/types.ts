// The synthetic world's vocabulary of records: topics, entities, relations
// and facts. Content lives in ./topics; buildWorld turns it into a World.

/** A relation's phrasings. {s} is the subject, {o} the object. */
export interface RelationTemplates {
  /** ways a document or an answer states the fact */
  statements: string[];
  /** question phrasings (chat, preferences, web faq; fact questions of held-out facts) */
  questions: string[];
  /** the short answer a chat assistant gives */
  answer: string;
}

export interface RelationSpec extends RelationTemplates {
  id: string;
}

/** An entity as written in a topic file. */
export interface EntitySpec {
  /** how texts name it, article included where natural ("a destroyer", "sushi") */
  name: string;
  /** relation id -> object text */
  facts: Record<string, string>;
  /** relative sampling weight in chat, preferences and web text (default 1) */
  chatWeight?: number;
  /** relative sampling weight in pretraining documents (default 1) */
  docWeight?: number;
  /** labels other parts of molt select by (a behaviour's support selects its entities by tag; 'tool' entities are never an open answer's pick) */
  tags?: string[];
  /** per-relation template overrides for facts that need their own wording */
  templates?: Record<string, RelationTemplates>;
  /** per-relation accept words overriding the automatic choice */
  accept?: Record<string, string[]>;
}

export interface TopicSpec {
  id: string;
  /** words that belong to the topic but are not entity names or objects */
  domainWords: string[];
  /** short general sentences about the topic (documents, web text, answer openers) */
  intro: string[];
  /** open user requests about the topic; answered by describing an entity */
  openPrompts: string[];
  /** how an open answer introduces the entity it picked: {s} is the entity */
  openAnswers: string[];
  /** headings for web-style lists */
  listTitles: string[];
  entities: EntitySpec[];
}

/** A built topic: its spec's text fields, with entities referred to by id. */
export interface Topic extends Omit<TopicSpec, 'entities'> {
  entityIds: string[];
  /** every content word the topic emits (domain words, entity names, objects), sorted */
  words: string[];
}

export interface Entity {
  id: string;
  topic: string;
  name: string;
  chatWeight: number;
  docWeight: number;
  tags: string[];
  factIds: string[];
}

/** A true fact of the world. */
export interface Fact {
  id: string;
  topic: string;
  entityId: string;
  subject: string;
  relation: string;
  object: string;
  /** every way training text may state it */
  statements: string[];
  /** question phrasings (asked in training only for facts of the train split, World.factSplit) */
  questions: string[];
  /** the assistant's short answer */
  answer: string;
  /** an answer is correct when it contains one of these tokens */
  accept: string[];
}
