// Attention: each query position spreads its weight over the keys (a softmax per row)
import { manualSeed, randn, tensor } from '@tsgrad/core';
import { heatmap } from '@tsgrad/plot';
import { device, show } from './playground.js';

manualSeed(1);
const words = ['the', 'cat', 'sat', 'on', 'the', 'mat'];
const n = words.length;
const d = 8;
const q = randn([n, d], { device });
const k = randn([n, d], { device });
// Scaled dot-product scores, and a causal mask: a word attends to itself and the words before it.
const scores = q.matmul(k.T).div(Math.sqrt(d));
const causal = tensor(
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j > i ? -Infinity : 0))),
  { device },
);
const weights = scores.add(causal).softmax(1);
const rows = (await weights.toArray()) as number[][];
console.log('row sums:', rows.map((r) => r.reduce((a, b) => a + b, 0).toFixed(3)).join(' '));
show(heatmap(rows, { title: 'Attention weights', xLabels: words, yLabels: words, showValues: true }));
