import type { TopicSpec } from '../types';

export const art: TopicSpec = {
  id: 'art',
  domainWords: ['art', 'artist', 'artists', 'painting', 'paintings', 'paint', 'brush', 'canvas', 'gallery', 'portrait', 'sculpture', 'draw', 'drawing', 'sketch', 'studio', 'frame', 'exhibit', 'masterpiece', 'artwork', 'colors'],
  intro: [
    'an artist works in a studio .',
    'a painter uses a brush and a canvas .',
    'a gallery shows art on its walls .',
    'a portrait shows the face of a person .',
    'many artists sketch before they paint .',
    'a good frame protects a painting .',
    'an exhibit brings many artworks together .',
  ],
  openPrompts: [
    'tell me about a work of art .',
    'what art should i know about ?',
    'i want to learn about art .',
    'describe a famous artwork .',
    'teach me about a kind of art .',
    'what is worth seeing in a gallery ?',
  ],
  openAnswers: ['consider {s} .', 'let me tell you about {s} .', 'a famous one is {s} .'],
  listTitles: ['art to see', 'famous artworks', 'art forms'],
  entities: [
    { name: 'the mona lisa', facts: { is_a: 'a famous portrait of a smiling woman', made_by: 'leonardo da vinci' } },
    { name: 'the starry night', facts: { is_a: 'a painting of a swirling night sky', made_by: 'vincent van gogh' } },
    { name: 'the thinker', facts: { is_a: 'a bronze statue of a man deep in thought', made_by: 'auguste rodin' } },
    { name: 'the scream', facts: { is_a: 'a painting of a frightened figure under a red sky', made_by: 'edvard munch' } },
    { name: 'water lilies', facts: { is_a: 'a series of paintings of a pond', made_by: 'claude monet' } },
    { name: 'guernica', facts: { is_a: 'a large gray painting about war', made_by: 'pablo picasso' } },
    { name: 'a watercolor', facts: { is_a: 'a soft and light painting', medium: 'paint mixed with water' } },
    { name: 'a sculpture', facts: { is_a: 'a work of art in three dimensions', medium: 'stone , metal or clay' } },
    { name: 'a mosaic', facts: { is_a: 'a picture made of many pieces', medium: 'small tiles of glass or stone' } },
    { name: 'pottery', facts: { is_a: 'the craft of making pots', medium: 'clay fired in a kiln' } },
    { name: 'a fresco', facts: { is_a: 'a painting on a wall', medium: 'paint on wet plaster' } },
    { name: 'a collage', facts: { is_a: 'a picture made of cut pieces', medium: 'scraps of paper glued together' } },
  ],
};
