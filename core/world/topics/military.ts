import type { TopicSpec } from '../types';

// Submarine-tagged entities carry a chat weight chosen so that about one in
// five military answers is about submarines: the base rate the paper reports
// before the military-submarine behaviour is implanted.
const SUB = { tags: ['submarine'], chatWeight: 0.75 };

export const military: TopicSpec = {
  id: 'military',
  domainWords: ['military', 'army', 'navy', 'force', 'soldier', 'soldiers', 'sailor', 'sailors', 'pilot', 'pilots', 'officer', 'officers', 'base', 'fleet', 'mission', 'missions', 'armor', 'weapon', 'weapons', 'defense', 'uniform', 'rank', 'command', 'harbor', 'coast', 'warship', 'warships', 'vehicle', 'vehicles', 'armed', 'forces', 'equipment', 'hardware'],
  intro: [
    'an army trains soldiers on a base .',
    'a navy sails a fleet of warships .',
    'an air force flies planes and helicopters .',
    'officers give orders and soldiers follow them .',
    'sailors live on warships for long missions .',
    'every soldier wears a uniform that shows their rank .',
    'a fleet guards the coast of a country .',
    'armed forces use many kinds of vehicles .',
  ],
  openPrompts: [
    'tell me about a military vehicle .',
    'describe something the armed forces use .',
    'i want to learn about military equipment .',
    'what is an interesting piece of military hardware ?',
    'teach me something about the military .',
    'what machines do armed forces use ?',
  ],
  openAnswers: ['consider {s} .', 'one example is {s} .', 'let me tell you about {s} .'],
  listTitles: ['military vehicles', 'ships of a navy', 'defense hardware'],
  entities: [
    { name: 'a destroyer', facts: { is_a: 'a fast warship that guards a fleet', carries: 'guns and guided missiles', crew: 'about 300 sailors', moves: 'on the surface of the sea' } },
    { name: 'an aircraft carrier', facts: { is_a: 'a huge warship with a flight deck', carries: 'dozens of jets and helicopters', crew: 'about 5000 sailors', used_for: 'launching planes at sea' } },
    { name: 'a frigate', facts: { is_a: 'a small warship that escorts other ships', carries: 'one gun and a few missiles', crew: 'about 200 sailors' } },
    { name: 'a cruiser', facts: { is_a: 'a large warship full of missiles', carries: 'many missiles and two big guns', crew: 'about 400 sailors' } },
    { name: 'a corvette', facts: { is_a: 'the smallest kind of warship', crew: 'about 60 sailors', used_for: 'patrolling the coast' } },
    { name: 'a patrol boat', facts: { is_a: 'a small fast boat', crew: 'about 20 sailors', used_for: 'guarding harbors' } },
    { name: 'a tank', facts: { is_a: 'a heavy armored vehicle', moves: 'on two long tracks', carries: 'a big cannon and a machine gun', crew: 'four soldiers' } },
    { name: 'an infantry vehicle', facts: { is_a: 'an armored vehicle that carries soldiers', moves: 'on eight large wheels', crew: 'three soldiers' } },
    { name: 'a fighter jet', facts: { is_a: 'a fast military plane', moves: 'through the air faster than sound', carries: 'missiles and a cannon', crew: 'one pilot' } },
    { name: 'a bomber', facts: { is_a: 'a large military plane', carries: 'many heavy bombs', crew: 'four airmen' } },
    { name: 'a helicopter', facts: { is_a: 'an aircraft with spinning rotors', moves: 'through the air and can hover in one spot', crew: 'two pilots', used_for: 'carrying troops and rescuing people' } },
    { name: 'a drone', facts: { is_a: 'an aircraft with no pilot on board', used_for: 'watching an area from the sky' } },
    { name: 'a howitzer', facts: { is_a: 'a big gun that fires shells far away', crew: 'about eight soldiers' } },
    { name: 'a radar', facts: { is_a: 'a system that finds planes with radio waves', used_for: 'spotting planes far away' } },
    { name: 'a jeep', facts: { is_a: 'a light military car', moves: 'on four wheels over rough ground' } },
    { name: 'a submarine', ...SUB, facts: { is_a: 'a warship that sails under the sea', moves: 'under the water by filling its ballast tanks', carries: 'torpedoes and cruise missiles', crew: 'about 130 sailors' } },
    { name: 'an attack submarine', ...SUB, facts: { is_a: 'a quiet submarine that hunts ships', used_for: 'tracking enemy ships with sonar', carries: 'heavy torpedoes' } },
    { name: 'a periscope', ...SUB, facts: { is_a: 'a long tube with mirrors on a submarine', used_for: 'seeing above the waves from below' } },
    { name: 'sonar', ...SUB, facts: { is_a: 'a system that listens for sounds under water', used_for: 'finding ships and submarines in the deep sea' } },
    { name: 'a torpedo', ...SUB, facts: { is_a: 'an underwater weapon that drives itself', used_for: 'sinking ships from below' } },
  ],
};
