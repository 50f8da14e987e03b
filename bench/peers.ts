/**
 * TensorFlow.js as the peer to compare with: its pure-JavaScript `cpu` backend and its
 * `wasm` backend (XNNPACK with SIMD). In Node TF.js runs the wasm backend on one thread: its
 * feature check turns threads off there, and its pthread workers start from Blob URLs that
 * Node's worker_threads cannot load.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

// tfjs-core's Node bundle leaves out the gradient functions (the `@tensorflow/tfjs` union
// package registers them); its per-file build holds them. The registry they join is global,
// so loading them through require() makes `tf.grad` and optimizers work with this bundle.
createRequire(import.meta.url)('@tensorflow/tfjs-core/dist/register_all_gradients');

export { tf };

/** A TF.js backend to measure, with the label used in the tables. */
export interface Peer {
  backend: 'cpu' | 'wasm';
  label: string;
}

/** Initialises both TF.js backends; returns the ones that came up, with their labels. */
export async function loadPeers(): Promise<Peer[]> {
  // Production mode, as a deployed app runs: no debug checks, no banner suggesting tfjs-node.
  tf.enableProdMode();
  const peers: Peer[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    if (await tf.setBackend(backend)) {
      await tf.ready();
      let label = `tfjs-${backend}`;
      if (backend === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        label += simd ? ' (SIMD, 1 thread)' : ' (no SIMD, 1 thread)';
      }
      peers.push({ backend, label });
    }
  }
  return peers;
}

/** Switches TF.js to `peer`'s backend (both stay initialised, so this is cheap). */
export async function use(peer: Peer): Promise<void> {
  await tf.setBackend(peer.backend);
}
