import type { RelationSpec } from './types';

// Default phrasings per relation. Statements state the fact in documents;
// questions are how chat, preferences and web faq ask it (five per relation,
// so the model sees varied wordings). Held-out evaluation asks HELD-OUT FACTS
// (World.factSplit) in these phrasings: their question instances are never
// trained on, so answering them needs the fact from pretraining.
export const RELATIONS: readonly RelationSpec[] = [
  {
    id: 'is_a',
    statements: ['{s} is {o} .', '{s} is known as {o} .', 'people describe {s} as {o} .'],
    questions: ['what is {s} ?', 'what kind of thing is {s} ?', 'tell me what {s} is .', 'can you explain what {s} is ?', 'how would you define {s} ?'],
    answer: '{s} is {o} .',
  },
  {
    id: 'cuisine',
    statements: ['{s} comes from {o} .', '{s} is a dish from {o} .', 'people in {o} first made {s} .'],
    questions: ['where does {s} come from ?', 'which country is {s} from ?', 'where was {s} first made ?', '{s} is from what country ?', 'in what country did people first make {s} ?'],
    answer: '{s} comes from {o} .',
  },
  {
    id: 'made_with',
    statements: ['{s} is made with {o} .', 'to make {s} you need {o} .', 'a cook makes {s} from {o} .'],
    questions: ['what is {s} made with ?', 'what do i need to make {s} ?', 'what goes into {s} ?', 'which ingredients are used in {s} ?', 'what ingredients does {s} have ?'],
    answer: '{s} is made with {o} .',
  },
  {
    id: 'used_for',
    statements: ['{s} is used for {o} .', 'people use {s} for {o} .', '{s} is good for {o} .'],
    questions: ['what is {s} used for ?', 'why do people use {s} ?', 'what is {s} good for ?', 'for what purpose do people use {s} ?', 'what do we use {s} for ?'],
    answer: '{s} is used for {o} .',
  },
  {
    id: 'bake_temp',
    statements: ['bake {s} at {o} .', '{s} bakes at {o} .', 'heat the oven to {o} for {s} .'],
    questions: ['what temperature do i bake {s} at ?', 'how hot should the oven be for {s} ?', 'at what heat does {s} bake ?', 'to what temperature should i heat the oven for {s} ?', 'what oven setting does {s} need ?'],
    answer: 'bake {s} at {o} .',
  },
  {
    id: 'carries',
    statements: ['{s} carries {o} .', '{s} is armed with {o} .', 'on board , {s} has {o} .'],
    questions: ['what does {s} carry ?', 'what weapons does {s} have ?', 'how is {s} armed ?', 'what is {s} armed with ?', 'which weapons are on {s} ?'],
    answer: '{s} carries {o} .',
  },
  {
    id: 'moves',
    statements: ['{s} moves {o} .', '{s} travels {o} .', '{s} goes {o} .'],
    questions: ['how does {s} move ?', 'how does {s} travel ?', 'where does {s} go ?', 'in what way does {s} get around ?', 'by what means does {s} travel ?'],
    answer: '{s} moves {o} .',
  },
  {
    id: 'crew',
    statements: ['{s} has a crew of {o} .', 'the crew of {s} is {o} .', '{s} needs a crew of {o} .'],
    questions: ['how big is the crew of {s} ?', 'how many people crew {s} ?', 'who works on {s} ?', 'what is the size of the crew on {s} ?', 'how many people serve on {s} ?'],
    answer: '{s} has a crew of {o} .',
  },
  {
    id: 'lives_in',
    statements: ['{s} lives in {o} .', 'you can find {s} in {o} .', 'the home of {s} is {o} .'],
    questions: ['where does {s} live ?', 'where can i find {s} ?', 'what is the home of {s} ?', 'in what place does {s} live ?', 'which habitat does {s} live in ?'],
    answer: '{s} lives in {o} .',
  },
  {
    id: 'eats',
    statements: ['{s} eats {o} .', 'the food of {s} is {o} .', '{s} likes to eat {o} .'],
    questions: ['what does {s} eat ?', 'what is the food of {s} ?', 'what does {s} like to eat ?', 'what kind of food does {s} eat ?', 'on what does {s} feed ?'],
    answer: '{s} eats {o} .',
  },
  {
    id: 'has_feature',
    statements: ['{s} has {o} .', 'look for {o} on {s} .', 'one sign of {s} is {o} .'],
    questions: ['what does {s} look like ?', 'how can i spot {s} ?', 'what does {s} have ?', 'what can you see on {s} ?', 'how would i know {s} when i see it ?'],
    answer: '{s} has {o} .',
  },
  {
    id: 'season',
    statements: ['plant {s} in {o} .', 'the best time to plant {s} is {o} .', 'gardeners plant {s} in {o} .'],
    questions: ['when should i plant {s} ?', 'what is the best time to plant {s} ?', 'when do gardeners plant {s} ?', 'in which season do you plant {s} ?', 'at what time of year should {s} go in the ground ?'],
    answer: 'plant {s} in {o} .',
  },
  {
    id: 'needs',
    statements: ['{s} needs {o} .', 'give {s} {o} .', '{s} grows best with {o} .'],
    questions: ['what does {s} need ?', 'what should i give {s} ?', 'how does {s} grow best ?', 'what conditions does {s} like ?', 'what helps {s} grow ?'],
    answer: '{s} needs {o} .',
  },
  {
    id: 'color',
    statements: ['the color of {s} is {o} .', '{s} has a {o} color .', '{s} is {o} in color .'],
    questions: ['what color is {s} ?', 'what is the color of {s} ?', 'which color does {s} have ?', '{s} is usually what color ?', 'what shade is {s} ?'],
    answer: 'the color of {s} is {o} .',
  },
  {
    id: 'country',
    statements: ['{s} is a city in {o} .', '{s} is in {o} .', 'you will find {s} in {o} .'],
    questions: ['where is {s} ?', 'which country is {s} in ?', 'in what country is {s} ?', '{s} belongs to which country ?', 'what nation is {s} part of ?'],
    answer: '{s} is in {o} .',
  },
  {
    id: 'famous_for',
    statements: ['{s} is famous for {o} .', 'people visit {s} to see {o} .', '{s} is known for {o} .'],
    questions: ['what is {s} famous for ?', 'why do people visit {s} ?', 'what is {s} known for ?', 'what should a visitor see in {s} ?', 'what is special about {s} ?'],
    answer: '{s} is famous for {o} .',
  },
  {
    id: 'language',
    statements: ['people in {s} speak {o} .', 'the language of {s} is {o} .', 'in {s} , people speak {o} .'],
    questions: ['what language do people speak in {s} ?', 'what is the language of {s} ?', 'what do people speak in {s} ?', 'which language will i hear in {s} ?', 'in {s} , what language is spoken ?'],
    answer: 'people in {s} speak {o} .',
  },
  {
    id: 'cause',
    statements: ['{s} happens when {o} .', '{s} comes when {o} .', 'we get {s} when {o} .'],
    questions: ['when does {s} happen ?', 'what causes {s} ?', 'why do we get {s} ?', 'under what conditions does {s} form ?', 'what makes {s} appear ?'],
    answer: '{s} happens when {o} .',
  },
  {
    id: 'common_in',
    statements: ['{s} is common in {o} .', '{s} often comes in {o} .', 'expect {s} in {o} .'],
    questions: ['when is {s} common ?', 'in which season does {s} come ?', 'when should i expect {s} ?', 'during what time of year is {s} most common ?', 'what season brings {s} most often ?'],
    answer: '{s} is common in {o} .',
  },
  {
    id: 'players',
    statements: ['a team in {s} has {o} players .', '{s} is played by teams of {o} .', 'each {s} team has {o} players .'],
    questions: ['how many players are on a {s} team ?', 'how many players does a {s} team have ?', 'what is the team size in {s} ?', 'a {s} side has how many players ?', 'how many people play for one {s} team ?'],
    answer: 'a team in {s} has {o} players .',
  },
  {
    id: 'equipment',
    statements: ['{s} is played with {o} .', 'to play {s} you need {o} .', 'players of {s} use {o} .'],
    questions: ['what do you need to play {s} ?', 'what is {s} played with ?', 'what equipment is used in {s} ?', 'which gear do players of {s} need ?', 'what tools does a game of {s} require ?'],
    answer: '{s} is played with {o} .',
  },
  {
    id: 'venue',
    statements: ['{s} takes place {o} .', 'people play {s} {o} .', 'games of {s} happen {o} .'],
    questions: ['where is {s} played ?', 'where do people play {s} ?', 'where does {s} take place ?', 'on what kind of ground is {s} played ?', 'what is the playing area for {s} ?'],
    answer: '{s} takes place {o} .',
  },
  {
    id: 'planet_order',
    statements: ['{s} is the {o} planet from the sun .', 'from the sun , {s} comes {o} .', 'in order from the sun , {s} is {o} .'],
    questions: ['which planet from the sun is {s} ?', 'where is {s} in order from the sun ?', 'what is the place of {s} among the planets ?', 'how far down the line of planets is {s} ?', 'counting out from the sun , what number is {s} ?'],
    answer: '{s} is the {o} planet from the sun .',
  },
  {
    id: 'symbol',
    statements: ['the symbol for {s} is {o} .', 'chemists write {s} as {o} .', '{o} is the symbol of {s} .'],
    questions: ['what is the symbol for {s} ?', 'how do chemists write {s} ?', 'what letters stand for {s} ?', 'which chemical symbol belongs to {s} ?', '{s} has what symbol ?'],
    answer: 'the symbol for {s} is {o} .',
  },
  {
    id: 'measures',
    statements: ['{s} measures {o} .', 'you can measure {o} with {s} .', 'scientists use {s} to measure {o} .'],
    questions: ['what does {s} measure ?', 'what can i measure with {s} ?', 'what do scientists measure with {s} ?', 'which quantity does {s} measure ?', '{s} is a tool to measure what ?'],
    answer: '{s} measures {o} .',
  },
  {
    id: 'family',
    statements: ['{s} is a {o} instrument .', '{s} belongs to the {o} family .', 'musicians put {s} in the {o} group .'],
    questions: ['what type of instrument is {s} ?', 'which family does {s} belong to ?', 'what group of instruments is {s} in ?', '{s} is part of which family of instruments ?', 'how would you classify {s} ?'],
    answer: '{s} is a {o} instrument .',
  },
  {
    id: 'played_by',
    statements: ['you play {s} by {o} .', 'a musician plays {s} by {o} .', '{s} makes sound when you start {o} .'],
    questions: ['how do you play {s} ?', 'how does {s} make sound ?', 'how is {s} played ?', 'what does a musician do to play {s} ?', 'in what way is {s} played ?'],
    answer: 'you play {s} by {o} .',
  },
  {
    id: 'began_in',
    statements: ['{s} began in {o} .', '{s} started in {o} .', 'the first {s} was played in {o} .'],
    questions: ['where did {s} begin ?', 'where did {s} start ?', 'where was {s} first played ?', 'what place gave birth to {s} ?', '{s} has its roots where ?'],
    answer: '{s} began in {o} .',
  },
  {
    id: 'found_in',
    statements: ['{s} is found in {o} .', 'you get {s} from {o} .', '{o} give you {s} .'],
    questions: ['where is {s} found ?', 'what foods have {s} ?', 'where do i get {s} ?', 'which food is a good source of {s} ?', 'what should i eat to get {s} ?'],
    answer: '{s} is found in {o} .',
  },
  {
    id: 'function',
    statements: ['the job of {s} is to {o} .', '{s} helps the body {o} .', 'the body needs {s} to {o} .'],
    questions: ['what does {s} do ?', 'what is the job of {s} ?', 'how does {s} help the body ?', 'what role does {s} play in the body ?', 'why does the body need {s} ?'],
    answer: 'the job of {s} is to {o} .',
  },
  {
    id: 'medium',
    statements: ['{s} uses {o} .', 'an artist makes {s} with {o} .', 'the material of {s} is {o} .'],
    questions: ['what does {s} use ?', 'what is {s} made from ?', 'what material does {s} use ?', 'with what does an artist make {s} ?', 'which materials go into {s} ?'],
    answer: '{s} uses {o} .',
  },
  {
    id: 'made_by',
    statements: ['{s} was made by {o} .', '{o} made {s} .', 'the artist behind {s} is {o} .'],
    questions: ['who made {s} ?', 'who is the artist of {s} ?', 'who created {s} ?', 'which artist is behind {s} ?', '{s} is the work of which artist ?'],
    answer: '{s} was made by {o} .',
  },
];

export const RELATION_BY_ID: ReadonlyMap<string, RelationSpec> = new Map(RELATIONS.map((r) => [r.id, r]));
