// Dependency-injection tokens for the services plugins receive rather than
// import. core/container.ts registers them; plugins resolve them through
// `Services` (factory plugins) or `@inject(TOKENS.x)` (class plugins).
export const TOKENS = {
  engine: Symbol.for('molt.engine'),
  store: Symbol.for('molt.store'),
  world: Symbol.for('molt.world'),
  logger: Symbol.for('molt.logger'),
  rng: Symbol.for('molt.rng'),
  settings: Symbol.for('molt.settings'),
  registry: Symbol.for('molt.registry'),
} as const;
export type ServiceName = keyof typeof TOKENS;
