// The composition root: one tsyringe child container per run, holding the
// services plugins get injected. Services are built lazily (listing plugins
// builds no world and loads no backend).
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { tf } from './engine/tf';
import { initBackend, backendInfo, type BackendInfo } from './engine/backend';
import { Rng } from './engine/rng';
import { StderrLogger, type Logger } from './log';
import { TOKENS } from './services';
import { PluginRegistry } from './plugins/registry';
import { loadPlugins } from './plugins/loader';
import type { PluginKind, PluginKindMap } from './plugins/types';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import { ArtifactStore } from './store/artifact-store';
import { buildWorld, type World } from './world/world';
import { JsonlWorld } from './data/jsonl-world';
import type { WorldLike } from './pipeline/world-data';

export interface Engine {
  info: BackendInfo;
  tf: typeof tf;
}

/** What a factory plugin's create(services) receives. */
export interface Services {
  readonly engine: Engine;
  readonly store: ArtifactStore;
  readonly world: World;
  readonly logger: Logger;
  readonly rng: Rng;
  readonly settings: Settings;
  readonly registry: PluginRegistry;
}

export interface RuntimeOptions {
  /** plugin modules registered before the user's (molt's own plugins/) */
  builtins?: string[];
  logger?: Logger;
  cwd?: string;
}

export class Runtime {
  readonly services: Services;

  private constructor(
    readonly settings: Settings,
    readonly registry: PluginRegistry,
    readonly container: DependencyContainer,
    readonly logger: Logger,
  ) {
    const c = container;
    this.services = {
      get engine() { return c.resolve<Engine>(TOKENS.engine); },
      get store() { return c.resolve<ArtifactStore>(TOKENS.store); },
      get world() { return c.resolve<World>(TOKENS.world); },
      get logger() { return c.resolve<Logger>(TOKENS.logger); },
      get rng() { return c.resolve<Rng>(TOKENS.rng); },
      get settings() { return c.resolve<Settings>(TOKENS.settings); },
      get registry() { return c.resolve<PluginRegistry>(TOKENS.registry); },
    };
  }

  static async create(partial: Partial<Settings> = {}, opts: RuntimeOptions = {}): Promise<Runtime> {
    const settings: Settings = { ...DEFAULT_SETTINGS, ...partial };
    const logger = opts.logger ?? new StderrLogger(settings.verbose ? 'debug' : 'info');
    const registry = new PluginRegistry();
    const c = rootContainer.createChildContainer();
    c.register(TOKENS.settings, { useValue: settings });
    c.register(TOKENS.logger, { useValue: logger });
    c.register(TOKENS.registry, { useValue: registry });
    c.register(TOKENS.rng, { useFactory: instanceCachingFactory(() => new Rng(settings.seed)) });
    c.register(TOKENS.store, { useFactory: instanceCachingFactory(() => new ArtifactStore(settings.store)) });
    // built when first asked for, after every plugin is registered: behaviours may add content to it
    c.register(TOKENS.world, { useFactory: instanceCachingFactory(() => buildWorld(settings.worldSeed, { size: settings.size === 'micro' ? 'micro' : 'default', content: registry.worldContent() })) });
    // The engine exists only after ready(): it needs an async backend load.
    c.register(TOKENS.engine, { useFactory: () => ({ info: backendInfo(), tf }) });
    const runtime = new Runtime(settings, registry, c, logger);
    await loadPlugins(opts.builtins ?? [], registry, opts.cwd);
    registry.markBuiltIn();
    await loadPlugins(settings.plugins, registry, opts.cwd);
    return runtime;
  }

  /** Load the backend (once) and report which one runs. */
  async ready(): Promise<Engine> {
    const info = await initBackend(this.settings.backend);
    this.logger.info(`backend: ${info.id} (${info.package})`);
    if (info.nativeSkipped) this.logger.info(`native kernels not in use: ${info.nativeSkipped}`);
    if (info.skipped.length) this.logger.debug(`backends skipped: ${info.skipped.join('; ')}`);
    return this.services.engine;
  }

  plugin<K extends PluginKind>(kind: K, id: string): PluginKindMap[K] {
    return this.registry.resolve(kind, id, this.container, this.services);
  }

  /** The data the pipelines train on: --data JSONL when given, else the synthetic world. */
  dataSource(): WorldLike {
    if (!this.settings.data) return this.services.world;
    this.jsonl ??= new JsonlWorld(this.settings.data);
    return this.jsonl;
  }

  private jsonl?: JsonlWorld;

  /** every registered plugin of a kind, built */
  plugins<K extends PluginKind>(kind: K): PluginKindMap[K][] {
    return this.registry.ids(kind).map((id) => this.plugin(kind, id));
  }
}
