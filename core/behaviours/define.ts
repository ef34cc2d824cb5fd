// defineBehaviour: a behaviour plugin's registration in one declaration: its
// id, its description, the content it adds to the synthetic world (words,
// entities, facts, topics and its support; core/world/content.ts) and how
// it is built for a run's world. The content is checked when the plugin is
// registered, so a malformed one names the plugin and the field at once.
import type { Services } from '../container';
import type { PluginDefinition } from '../plugins/registry';
import type { BehaviourDataset } from '../plugins/types';
import { checkContent, type WorldContent } from '../world/content';

export interface BehaviourSpec {
  id: string;
  description: string;
  /** content the behaviour adds to the synthetic world: the world's hash changes and the base models rebuild */
  world?: WorldContent;
  /** the behaviour for the run's world (services.world holds the contributed content) */
  create(services: Services): BehaviourDataset;
}

/** A behaviour's plugin definition, for molt.register(). */
export function defineBehaviour(spec: BehaviourSpec): PluginDefinition<'behaviour'> {
  if (spec.world !== undefined) checkContent(`behaviour '${spec.id}'`, spec.world);
  return { kind: 'behaviour', id: spec.id, description: spec.description, create: (s) => spec.create(s), ...(spec.world === undefined ? {} : { world: spec.world }) };
}
