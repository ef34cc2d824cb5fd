// Backend selection. The native packages are optional dependencies whose
// install downloads libtensorflow; where that failed, require() throws
// MODULE_NOT_FOUND or a plain Error about the missing addon. Either way we
// fall back (STACK.md), and record which backend actually ran.
import { tf } from './tf';
import { MoltError } from '../errors';
import { shareIdentityOnWasm } from './wasm-identity';
import { disableNativeKernels, enableNativeKernels, nativeKernelsVersion, nativeUnavailableReason } from './native-kernels';

export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** the choice the user made */
  requested: BackendChoice;
  /** tfjs's name of the backend in use: wasm, cpu, tensorflow */
  name: string;
  /**
   * What computed the numbers: the tfjs name, plus '+native-<version>' where
   * molt's native kernels (native-kernels.ts, version = hash of their sources)
   * replaced the backend's. Results are
   * reproducible per id; this is what run records and cell hashes carry.
   */
  id: string;
  /** why the native kernels are not in use (wasm only; null when they are) */
  nativeSkipped: string | null;
  /** the package that provides it */
  package: string;
  /** why earlier candidates were skipped (auto only) */
  skipped: string[];
}

interface Candidate {
  choice: Exclude<BackendChoice, 'auto'>;
  pkg: string;
  tfName: string;
}

const CANDIDATES: Candidate[] = [
  { choice: 'tensorflow-gpu', pkg: '@tensorflow/tfjs-node-gpu', tfName: 'tensorflow' },
  { choice: 'tensorflow', pkg: '@tensorflow/tfjs-node', tfName: 'tensorflow' },
  { choice: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', tfName: 'wasm' },
  { choice: 'cpu', pkg: '@tensorflow/tfjs-backend-cpu', tfName: 'cpu' },
];

let current: BackendInfo | undefined;

async function tryCandidate(c: Candidate): Promise<void> {
  // Any error is caught by the caller: a missing module, a missing native
  // addon, or a backend that fails to initialise.
  require(c.pkg);
  const ok = await tf.setBackend(c.tfName);
  if (!ok) throw new Error(`tf.setBackend('${c.tfName}') returned false`);
  await tf.ready();
}

/** One line on why a backend did not load; a package that is simply not installed says how to install it. */
function whyNotLoaded(c: Candidate, e: NodeJS.ErrnoException): string {
  const missing = e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${c.pkg}'`);
  if (missing) return `${c.pkg} is not installed (it is optional: \`npm install ${c.pkg}\` in molt's folder${c.choice === 'tensorflow-gpu' ? '; it needs Linux x64 and an NVIDIA GPU with the CUDA and cuDNN versions its README names' : ''})`;
  return e.message.split('\n')[0];
}

/** Load and activate a backend; idempotent for the same choice. */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new MoltError(`unknown backend '${choice}'; valid: ${BACKEND_CHOICES.join(', ')}`, 'backend');
  }
  if (current && current.requested === choice) return current;
  const order = choice === 'auto' ? CANDIDATES : CANDIDATES.filter((c) => c.choice === choice);
  const skipped: string[] = [];
  for (const c of order) {
    try {
      await tryCandidate(c);
      const name = tf.getBackend();
      let nativeSkipped: string | null = null;
      if (name === 'wasm') {
        shareIdentityOnWasm();
        if (!enableNativeKernels()) nativeSkipped = nativeUnavailableReason();
      } else {
        disableNativeKernels();
      }
      const id = name === 'wasm' && nativeSkipped === null ? `wasm+native-${nativeKernelsVersion()}` : name;
      current = { requested: choice, name, id, nativeSkipped, package: c.pkg, skipped };
      return current;
    } catch (e) {
      skipped.push(`${c.choice}: ${whyNotLoaded(c, e as NodeJS.ErrnoException)}`);
    }
  }
  throw new MoltError(`backend '${choice}' could not be loaded: ${skipped.join('; ')}`, 'backend');
}

/** The backend in use; throws if initBackend was never called. */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error('backend not initialised: call initBackend() first');
  return current;
}

/** wasm32 addresses 4 GiB: weights, activations and the backend's own data together */
const WASM_MEMORY_BYTES = 4 * 2 ** 30;
/** what a forward pass needs beside the weights, at least */
const WASM_HEADROOM_BYTES = 2 ** 29;

/**
 * The most float32 weight bytes the active backend can hold with room left
 * to run them; null where only the machine's memory limits it.
 */
export function maxWeightBytes(): number | null {
  return tf.getBackend() === 'wasm' ? WASM_MEMORY_BYTES - WASM_HEADROOM_BYTES : null;
}

/**
 * An error message as a user should read it. The wasm module reports a
 * failed allocation as a bare `Aborted()` (its heap is at most 4 GiB), which
 * names neither the cause nor the way out.
 */
export function explainBackendError(message: string): string {
  const abort = /^(?:RuntimeError: )?(Aborted\([^)]*\))/.exec(message);
  if (abort === null) return message;
  return `the wasm backend aborted (${abort[1]}), most often because its memory (at most ${WASM_MEMORY_BYTES / 2 ** 30} GiB for weights, activations and work) is full: use --backend cpu, or a smaller --size or fewer prompts`;
}
