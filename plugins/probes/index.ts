// The built-in probes, one registration each (plugins/index.ts). The sae and
// activation-oracle probes add their entries here.
import type { Probe } from '../../core/plugins/types';
import { logitLensProbe } from './logit-lens';
import { steeringProbe } from './steering';
import { saeProbe } from './sae';
import { activationOracleProbe } from './activation-oracle';

export const PROBES: readonly Probe[] = [logitLensProbe, steeringProbe, saeProbe, activationOracleProbe];
