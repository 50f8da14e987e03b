/**
 * Figure of guide 10: the norm of the gradient of the last output with respect to each
 * input of a 60-step sequence, for an RNN (as initialised, and with W_hh three times
 * larger), an LSTM (as initialised, and with the forget gate's bias at 3) and a GRU.
 */
import { manualSeed, noGrad, randn, type Tensor } from '@tsgrad/core';
import { GRU, LSTM, type Module, RNN } from '@tsgrad/nn';
import { linePlot, type Series } from '@tsgrad/plot';

const T = 60;

function parameter(m: Module, name: string): Tensor {
  return Object.fromEntries(m.namedParameters())[name]!;
}

/** ‖∂(last output)/∂xₜ‖ by how many steps xₜ lies before the end. */
function gradientThroughTime(make: () => Module): number[] {
  manualSeed(0);
  const layer = make();
  const x = randn([T, 1, 8], { requiresGrad: true });
  const [out] = layer.forward(x) as [Tensor, unknown];
  out
    .narrow(0, T - 1, 1)
    .sum()
    .backward();
  const norms = x.grad!.reshape([T, 8]).norm(2, 1).toArraySync() as number[];
  return norms.reverse();
}

export function figures(): Record<string, string> {
  const runs: [string, () => Module][] = [
    ['RNN', () => new RNN(8, 32)],
    [
      'RNN, W_hh × 3',
      () => {
        const rnn = new RNN(8, 32);
        noGrad(() => parameter(rnn, 'weight_hh_l0').mul_(3));
        return rnn;
      },
    ],
    ['LSTM', () => new LSTM(8, 32)],
    [
      'LSTM, forget bias 3',
      () => {
        const lstm = new LSTM(8, 32);
        noGrad(() => {
          parameter(lstm, 'bias_ih_l0').narrow(0, 32, 32).fill_(3);
          parameter(lstm, 'bias_hh_l0').narrow(0, 32, 32).fill_(0);
        });
        return lstm;
      },
    ],
    ['GRU', () => new GRU(8, 32)],
  ];
  const series: Series[] = runs.map(([name, make]) => ({ name, y: gradientThroughTime(make) }));
  return {
    '10-gradient-through-time.svg': linePlot(series, {
      title: 'Gradient of the last output with respect to earlier inputs (untrained layers)',
      xLabel: 'steps before the end',
      yLabel: '‖∂ output / ∂ input‖',
      logY: true,
      yRange: [1e-15, 1e10], // room above the lines for the legend
      width: 720,
      height: 440,
    }),
  };
}
