// One registry for every plugin kind. Built-in and external plugins go
// through the same register() call, so an external plugin is a first-class
// citizen: same id rules, same injection, same listing.
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { MoltError } from '../errors';
import { PLUGIN_KINDS, type PluginKind, type PluginKindMap } from './types';
import type { Services } from '../container';
import { checkContent, type WorldContent, type WorldContribution } from '../world/content';

type Ctor<T> = new (...args: any[]) => T;

/**
 * How a plugin is declared. Exactly one of `create`, `useClass` or `instance`.
 * - create(services): a factory given the injected services (plain JS plugins);
 * - useClass: an @injectable() class whose constructor asks for TOKENS.* ;
 * - instance: a ready object needing no services.
 */
export interface PluginDefinition<K extends PluginKind = PluginKind> {
  kind: K;
  id: string;
  description: string;
  create?: (services: Services) => PluginKindMap[K];
  useClass?: Ctor<PluginKindMap[K]>;
  instance?: PluginKindMap[K];
  /** behaviours only: content the behaviour adds to the synthetic world (docs/PLUGINS.md, "Behaviours") */
  world?: WorldContent;
}

export interface RegisteredPlugin<K extends PluginKind = PluginKind> {
  kind: K;
  id: string;
  description: string;
  /** the module (file or package) that registered it */
  source: string;
  definition: PluginDefinition<K>;
  /** shipped with molt (Runtime.create's builtins), so versioned with its code */
  builtIn?: boolean;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export class PluginRegistry {
  private readonly entries = new Map<PluginKind, Map<string, RegisteredPlugin>>(
    PLUGIN_KINDS.map((k) => [k, new Map()]),
  );
  private readonly instances = new Map<string, unknown>();

  register<K extends PluginKind>(def: PluginDefinition<K>, source: string): void {
    const where = `plugin from ${source}`;
    if (!def || typeof def !== 'object') throw new MoltError(`${where}: a plugin definition must be an object`, source);
    if (!PLUGIN_KINDS.includes(def.kind)) {
      throw new MoltError(`${where}: unknown kind '${String(def.kind)}'; valid: ${PLUGIN_KINDS.join(', ')}`, source);
    }
    if (typeof def.id !== 'string' || !ID_PATTERN.test(def.id)) {
      throw new MoltError(`${where}: id ${JSON.stringify(def.id)} must be lower-case letters, digits, '.', '_' or '-'`, source);
    }
    const label = `${def.kind} '${def.id}' (${source})`;
    if (typeof def.description !== 'string' || def.description.trim() === '') {
      throw new MoltError(`${label}: field 'description' is missing`, source);
    }
    const ways = [def.create, def.useClass, def.instance].filter((x) => x !== undefined).length;
    if (ways !== 1) {
      throw new MoltError(`${label}: give exactly one of 'create', 'useClass' or 'instance'`, source);
    }
    if (def.world !== undefined) {
      if (def.kind !== 'behaviour') throw new MoltError(`${label}: field 'world' is for behaviours only`, source);
      checkContent(label, def.world);
    }
    const table = this.entries.get(def.kind)!;
    const existing = table.get(def.id);
    if (existing) {
      throw new MoltError(
        `duplicate ${def.kind} id '${def.id}': registered by ${existing.source} and again by ${source}`,
        def.id,
      );
    }
    table.set(def.id, { kind: def.kind, id: def.id, description: def.description, source, definition: def });
  }

  /** Mark every plugin registered so far as molt's own (Runtime.create, after loading the builtins). */
  markBuiltIn(): void {
    for (const table of this.entries.values()) for (const e of table.values()) e.builtIn = true;
  }

  /**
   * The world content of the registered behaviours, by behaviour id (so not
   * by the order plugins were named in). `added`: only that of plugins not
   * shipped with molt: molt's own content changes only with its code (whose
   * version every hash carries), so a run's identity names the added content
   * alone, and a run of molt's own plugins keeps its hashes.
   */
  worldContent(which: 'all' | 'added' = 'all'): WorldContribution[] {
    const from = this.list('behaviour').filter((e) => which === 'all' || !e.builtIn);
    return from.flatMap((e) => (e.definition.world ? [{ key: e.id, source: `behaviour '${e.id}' (${e.source})`, content: e.definition.world }] : []));
  }

  has(kind: PluginKind, id: string): boolean {
    return this.entries.get(kind)!.has(id);
  }

  ids(kind: PluginKind): string[] {
    return [...this.entries.get(kind)!.keys()].sort();
  }

  list(kind: PluginKind): RegisteredPlugin[] {
    return this.ids(kind).map((id) => this.entries.get(kind)!.get(id)!);
  }

  /** The registration record; an unknown id is an error listing the valid ones. */
  entry<K extends PluginKind>(kind: K, id: string): RegisteredPlugin<K> {
    const found = this.entries.get(kind)!.get(id);
    if (!found) {
      const valid = this.ids(kind);
      throw new MoltError(
        `unknown ${kind} '${id}'; valid: ${valid.length ? valid.join(', ') : '(none registered)'}`,
        id,
      );
    }
    return found as RegisteredPlugin<K>;
  }

  /**
   * The plugin object, built once per registry with its services injected
   * from `container` (the container's services are resolved lazily, so a
   * plugin that never touches the world never builds one).
   */
  resolve<K extends PluginKind>(kind: K, id: string, container: DependencyContainer, services: Services): PluginKindMap[K] {
    const key = `${kind}:${id}`;
    if (this.instances.has(key)) return this.instances.get(key) as PluginKindMap[K];
    const { definition: def, source } = this.entry(kind, id);
    let made: PluginKindMap[K];
    try {
      if (def.instance !== undefined) made = def.instance;
      else if (def.create) made = def.create(services);
      else made = container.resolve(def.useClass as InjectionToken<PluginKindMap[K]>);
    } catch (e) {
      throw new MoltError(`${kind} '${id}' (${source}) failed to initialise: ${(e as Error).message}`, id);
    }
    if (!made || typeof made !== 'object') {
      throw new MoltError(`${kind} '${id}' (${source}) did not produce an object`, id);
    }
    this.instances.set(key, made);
    return made;
  }
}
