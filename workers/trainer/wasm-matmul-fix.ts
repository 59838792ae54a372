/**
 * tfjs-backend-wasm 4.22 runs BatchMatMul with transposeA/transposeB ~10× slower than an explicit
 * transpose followed by a plain matmul (measured: 512×640ᵀ·512×512 386 ms vs 24 ms). Dense-layer
 * gradients use exactly those transposed products, so training the heads is dominated by them.
 * This wraps the wasm BatchMatMul kernel to transpose explicitly first. Same results; Node trainer only.
 */
import * as tf from '@tensorflow/tfjs';

let installed = false;

export function installWasmMatMulFix(): void {
  if (installed || tf.getBackend() !== 'wasm') return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return;
  installed = true;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
      const temps: tf.TensorInfo[] = [];
      const swapLast = (t: tf.TensorInfo) => {
        const r = t.shape.length;
        const perm = [...Array(r).keys()];
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        const out = transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
        temps.push(out);
        return out;
      };
      const a = transposeA ? swapLast(inputs.a as tf.TensorInfo) : inputs.a;
      const b = transposeB ? swapLast(inputs.b as tf.TensorInfo) : inputs.b;
      const result = original.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      for (const t of temps) (backend as { disposeData(id: object): void }).disposeData(t.dataId);
      return result;
    },
  });
}
