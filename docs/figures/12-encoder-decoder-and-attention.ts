/**
 * Figure of guide 12: the attention weights of two small encoder–decoder models trained to
 * reverse sequences of 8 tokens, one with Bahdanau's wiring (attend with the previous state,
 * feed the context into the GRU step) and one with Luong's (step first, attend with the new
 * state, 'general' score), each decoding a test sequence greedily.
 */
import { cat, full, manualSeed, randint, stack, type Tensor, tensor } from '@tsgrad/core';
import {
  BahdanauAttention,
  crossEntropyLoss,
  Embedding,
  GRU,
  GRUCell,
  Linear,
  LuongAttention,
  Module,
} from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { heatmap } from '@tsgrad/plot';
import { grid } from './shared/grid.js';

const [V, START, S, H] = [8, 8, 8, 32];
const letters = 'abcdefgh';

type Wiring = 'Bahdanau' | 'Luong';

class Reverser extends Module {
  embedIn = new Embedding(V, 16);
  embedOut = new Embedding(V + 1, 16);
  encoder = new GRU(16, H, { batchFirst: true });
  attention: BahdanauAttention | LuongAttention;
  cell: GRUCell;
  out = new Linear(2 * H, V);

  constructor(readonly wiring: Wiring) {
    super();
    const bahdanau = wiring === 'Bahdanau';
    this.attention = bahdanau ? new BahdanauAttention(H, H, H) : new LuongAttention(H, 'general');
    this.cell = new GRUCell(bahdanau ? 16 + H : 16, H);
  }

  encode(src: Tensor): [Tensor, Tensor] {
    const [keys, hN] = this.encoder.forward(this.embedIn.forward(src));
    return [keys, hN.squeeze(0)];
  }

  /** One decoder step from the previous token: the logits, the new state and the weights. */
  step(prev: Tensor, h: Tensor, keys: Tensor): [Tensor, Tensor, Tensor] {
    const e = this.embedOut.forward(prev);
    let context: Tensor;
    let w: Tensor;
    if (this.wiring === 'Bahdanau') {
      [context, w] = this.attention.forward(h, keys);
      h = this.cell.forward(cat([e, context], 1), h);
    } else {
      h = this.cell.forward(e, h);
      [context, w] = this.attention.forward(h, keys);
    }
    return [this.out.forward(cat([h, context], 1)), h, w];
  }

  /** Teacher-forced logits [B, S, V] for the decoder inputs `prev` [B, S]. */
  override forward(src: Tensor, prev: Tensor): Tensor {
    let [keys, h] = this.encode(src);
    const logits: Tensor[] = [];
    for (const p of prev.unbind(1)) {
      let l: Tensor;
      [l, h] = this.step(p, h, keys);
      logits.push(l);
    }
    return stack(logits, 1);
  }

  /** Greedy decoding of one sequence: the output tokens and the weights of each step. */
  decode(src: Tensor): { tokens: number[]; weights: number[][] } {
    let [keys, h] = this.encode(src);
    let prev = full([1], START, { dtype: 'int32' });
    const tokens: number[] = [];
    const weights: number[][] = [];
    for (let t = 0; t < S; t++) {
      let logits: Tensor;
      let w: Tensor;
      [logits, h, w] = this.step(prev, h, keys);
      prev = logits.argmax(-1);
      tokens.push(prev.itemSync());
      weights.push(Array.from(w.squeeze(0).toArraySync() as number[]));
    }
    return { tokens, weights };
  }
}

function train(wiring: Wiring): Reverser {
  manualSeed(0);
  const model = new Reverser(wiring);
  const opt = new Adam(model.parameters(), { lr: 0.005 });
  for (let step = 0; step < 300; step++) {
    const src = randint(0, V, [64, S]);
    const target = src.flip(1);
    const prev = cat([full([64, 1], START, { dtype: 'int32' }), target.narrow(1, 0, S - 1)], 1);
    const loss = crossEntropyLoss(model.forward(src, prev).reshape([64 * S, V]), target.reshape([64 * S]));
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  return model;
}

export function figures(): Record<string, string> {
  const source = [3, 0, 6, 1, 7, 2, 5, 4];
  const charts = (['Bahdanau', 'Luong'] as const).map((wiring) => {
    const { tokens, weights } = train(wiring).decode(tensor([source], { dtype: 'int32' }));
    return heatmap(weights, {
      title: `${wiring} attention`,
      xLabels: source.map((i) => letters[i]!),
      yLabels: tokens.map((i) => letters[i]!),
      xLabel: 'input token',
      yLabel: 'output token (greedy)',
      range: [0, 1],
      width: 420,
      height: 400,
    });
  });
  return { '12-attention-reversal.svg': grid(charts, 2) };
}
