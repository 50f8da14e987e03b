/**
 * Figures of guide 13: next-token probabilities at three temperatures, and the attention of
 * each head of a tiny GPT trained on one line of text (its attention's input captured with a
 * forward pre-hook, the weights recomputed per head).
 */
import { arange, manualSeed, randint, type Tensor, tensor } from '@tsgrad/core';
import {
  crossEntropyLoss,
  Embedding,
  LayerNorm,
  Linear,
  Module,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tsgrad/nn';
import { AdamW } from '@tsgrad/optim';
import { barPlot, heatmap } from '@tsgrad/plot';
import { grid } from './shared/grid.js';

function temperatures(): string {
  const logits = tensor([2, 1, 0.5, 0, -1]);
  const ts = [0.5, 1, 2];
  const probs = ts.map((t) => logits.div(t).softmax(-1).toArraySync() as number[]);
  return barPlot(
    probs[0]!.map((_, i) => ({
      label: `token ${i} (logit ${[2, 1, 0.5, 0, -1][i]})`,
      value: probs.map((p) => p[i]!),
    })),
    {
      title: 'softmax(logits / τ)',
      yLabel: 'probability',
      seriesNames: ts.map((t) => `τ = ${t}`),
    },
  );
}

const text = 'to be, or not to be, that is the question. ';
const chars = [...new Set(text)].sort();
const [V, T, D] = [chars.length, 16, 32];

class TinyGPT extends Module {
  token = new Embedding(V, D);
  position = new Embedding(T, D);
  blocks = new TransformerEncoder(
    new TransformerEncoderLayer(D, 4, {
      dimFeedforward: 2 * D,
      dropout: 0,
      activation: 'gelu',
      batchFirst: true,
      normFirst: true,
    }),
    1,
  );
  norm = new LayerNorm([D]);
  head = new Linear(D, V);

  override forward(ids: Tensor): Tensor {
    const positions = arange(ids.shape[1]!, undefined, 1, { dtype: 'int32' });
    const x = this.token.forward(ids).add(this.position.forward(positions));
    return this.head.forward(this.norm.forward(this.blocks.forward(x, { isCausal: true })));
  }
}

function heads(): string {
  manualSeed(0);
  const model = new TinyGPT();
  const opt = new AdamW(model.parameters(), { lr: 1e-2 });
  const ids = [...(text + text)].map((c) => chars.indexOf(c));
  for (let step = 0; step < 300; step++) {
    const starts = (randint(0, text.length, [16]).toArraySync() as number[]).map(Number);
    const x = tensor(
      starts.map((s) => ids.slice(s, s + T)),
      { dtype: 'int32' },
    );
    const y = tensor(
      starts.map((s) => ids.slice(s + 1, s + T + 1)),
      { dtype: 'int32' },
    );
    const loss = crossEntropyLoss(model.forward(x).reshape([16 * T, V]), y.reshape([16 * T]));
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  const attention = model.blocks.layers.at(0).self_attn;
  let input: Tensor | null = null;
  const hook = attention.registerForwardPreHook((_m, args) => {
    input = args[0] as Tensor;
  });
  const prompt = text.slice(0, T);
  model.forward(tensor([[...prompt].map((c) => chars.indexOf(c))], { dtype: 'int32' }));
  hook.remove();
  const x = input as unknown as Tensor;
  const [, w] = attention.forward(x, x, x, { isCausal: true, averageAttnWeights: false });
  const labels = [...prompt].map((c) => (c === ' ' ? '␣' : c));
  const perHead = w!.squeeze(0).toArraySync() as number[][][];
  const charts = perHead.map((rows, h) =>
    heatmap(rows, {
      title: `head ${h + 1}`,
      xLabels: labels,
      yLabels: labels,
      range: [0, 1],
      width: 400,
      height: 380,
    }),
  );
  return grid(charts, 2);
}

export function figures(): Record<string, string> {
  return { '13-temperature.svg': temperatures(), '13-gpt-heads.svg': heads() };
}
