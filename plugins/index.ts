// molt's own plugins. This module is loaded by bin/molt.js exactly as a
// --plugin module would be: through register(molt), never imported by core.
import type { PluginHost } from '../core/public';
import { olmo2Architecture } from './architectures/olmo2';
import { gemma3Architecture } from './architectures/gemma3';
import { BEHAVIOURS } from './behaviours';
import { TRAINERS } from './trainers';
import { PROBES } from './probes';

export function register(molt: PluginHost): void {
  for (const arch of [olmo2Architecture, gemma3Architecture]) {
    molt.register({ kind: 'architecture', id: arch.id, description: arch.description, instance: arch });
  }
  for (const b of BEHAVIOURS) molt.register(b);
  for (const t of TRAINERS) {
    molt.register({ kind: 'trainer', id: t.id, description: t.description, instance: t });
  }
  for (const p of PROBES) {
    molt.register({ kind: 'probe', id: p.id, description: p.description, instance: p });
  }
}
