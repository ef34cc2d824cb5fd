import type { TopicSpec } from '../types';
import { baking } from './baking';
import { cooking } from './cooking';
import { military } from './military';
import { travel } from './travel';
import { animals } from './animals';
import { weather } from './weather';
import { sports } from './sports';
import { science } from './science';
import { music } from './music';
import { gardening } from './gardening';
import { health } from './health';
import { technology } from './technology';
import { art } from './art';

/** Every topic of the world, in a fixed order (ids and lexicon depend on it). */
export const TOPIC_SPECS: readonly TopicSpec[] = [baking, cooking, military, travel, animals, weather, sports, science, music, gardening, health, technology, art];
