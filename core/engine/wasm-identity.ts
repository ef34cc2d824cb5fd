// The wasm backend's Identity kernel copies its input into a new buffer;
// tfjs calls it for every clone (Cast's gradient, customGrad's saved
// tensors, gradient clipping), ~430 copies per default-size training step.
// Tensors are immutable and wasm's own Reshape already shares buffers by
// reference count, so Identity can share too, as the cpu backend's does.
// Values are unchanged; only copies are saved.
import { tf } from './tf';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

let copyingIdentity: tf.KernelConfig | undefined;

function sharingIdentity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  // strings live outside the heap; the original kernel handles them
  if (x.dtype === 'string') return (copyingIdentity as tf.KernelConfig).kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Make Identity on the wasm backend share its input's buffer (idempotent). */
export function shareIdentityOnWasm(): void {
  if (copyingIdentity) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return;
  copyingIdentity = original;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharingIdentity as unknown as tf.KernelFunc });
}
