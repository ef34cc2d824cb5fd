// The built-in probes, one registration each (plugins/index.ts). The sae and
// activation-oracle probes add their entries here.
import type { Probe } from '../../core/plugins/types';
import { logitLensProbe } from './logit-lens';

export const PROBES: readonly Probe[] = [logitLensProbe];
