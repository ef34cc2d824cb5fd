// The config.json files of real checkpoints, as published on the Hugging Face
// Hub (transcribed field for field): the shapes tests reduce and benchmarks
// initialise randomly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HfConfig } from '../../../core/model/types';

export const PUBLISHED_CONFIGS = ['OLMo-2-0425-1B', 'gemma-3-270m', 'gemma-3-1b-it'] as const;
export type PublishedConfig = (typeof PUBLISHED_CONFIGS)[number];

export function publishedConfigFile(name: PublishedConfig): string {
  return join(__dirname, `${name}.json`);
}

/** a fresh copy of a published config.json */
export function publishedConfig(name: PublishedConfig): HfConfig {
  return JSON.parse(readFileSync(publishedConfigFile(name), 'utf8')) as HfConfig;
}
