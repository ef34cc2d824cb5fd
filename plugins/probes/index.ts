// The built-in probes, one registration each (plugins/index.ts); each lives
// in its own folder and imports molt only through core/public.
import type { Probe } from '../../core/public';
import { logitLensProbe } from './logit-lens';
import { steeringProbe } from './steering';
import { saeProbe } from './sae';
import { activationOracleProbe } from './activation-oracle';

export const PROBES: readonly Probe[] = [logitLensProbe, steeringProbe, saeProbe, activationOracleProbe];
