import { describe, expect, it } from 'vitest';
import { barPlot, heatmap, linePlot, niceTicks, scatterPlot } from '../src/index.js';

/** The numbers of every `d` attribute's path commands, as [x, y] pairs. */
function pathPoints(svg: string): [number, number][][] {
  return [...svg.matchAll(/<path d="([^"]*)"[^>]*stroke-width="2"/g)].map((m) =>
    [...m[1]!.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])]),
  );
}

function attr(tag: string, name: string): number {
  return Number(new RegExp(`${name}="(-?[\\d.]+)"`).exec(tag)![1]);
}

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten and covers the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 100, 4)).toEqual([0, 50, 100]);
    expect(niceTicks(-3, 7)).toEqual([-2, 0, 2, 4, 6]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });
});

describe('linePlot', () => {
  it('maps values to pixels: larger y is higher, later x is further right', () => {
    const svg = linePlot({ y: [0, 1, 4] }, { width: 400, height: 300 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"')).toBe(true);
    const [pts] = pathPoints(svg);
    expect(pts).toHaveLength(3);
    const [a, b, c] = pts!;
    expect(b![0] - a![0]).toBeCloseTo(c![0] - b![0], 0);
    expect(a![1]).toBeGreaterThan(b![1]);
    // y is linear: (y0 − y1) / (y1 − y4) = 1 / 3.
    expect((a![1] - b![1]) / (b![1] - c![1])).toBeCloseTo(1 / 3, 2);
  });

  it('breaks the line at NaN and at non-positive values on a log axis', () => {
    const [pts] = pathPoints(linePlot({ y: [1, Number.NaN, 3, 4] }));
    expect(pts).toHaveLength(3);
    const d = /<path d="([^"]*)"[^>]*stroke-width="2"/.exec(linePlot({ y: [1, Number.NaN, 3, 4] }))![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    const log = linePlot({ y: [10, 0, 1, 0.1] }, { logY: true });
    const [lp] = pathPoints(log);
    expect(lp).toHaveLength(3);
    // On a log axis 10 → 1 and 1 → 0.1 are the same distance.
    expect(lp![1]![1] - lp![0]![1]).toBeCloseTo(lp![2]![1] - lp![1]![1], 0);
  });

  it('draws a legend for named series and escapes text', () => {
    const svg = linePlot(
      [
        { name: 'a<b', y: [1, 2] },
        { name: 'c', y: [2, 1], dashed: true },
      ],
      { title: 'x & y' },
    );
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('x &amp; y');
    expect(svg).toContain('stroke-dasharray');
    expect(pathPoints(svg)).toHaveLength(2);
  });

  it('refuses x and y of different lengths', () => {
    expect(() => linePlot({ name: 's', x: [0, 1], y: [1, 2, 3] })).toThrow(
      /series 's' has 2 x values for 3 y values/,
    );
  });
});

describe('heatmap', () => {
  it('draws a cell per value, coloured by value, with labels', () => {
    const svg = heatmap(
      [
        [0, 1],
        [0.5, 0.25],
      ],
      { xLabels: ['p', 'q'], yLabels: ['r', 's'], showValues: true },
    );
    const cells = [...svg.matchAll(/<rect [^>]*><title>([^<]*)<\/title><\/rect>/g)];
    expect(cells.map((c) => c[1])).toEqual(['0', '1', '0.5', '0.25']);
    // The lowest value takes the ramp's first stop, the highest its last.
    expect(cells[0]![0]).toContain('fill="rgb(68,1,84)"');
    expect(cells[1]![0]).toContain('fill="rgb(253,231,37)"');
    // Row 1 is below row 0, column 1 right of column 0.
    expect(attr(cells[2]![0], 'y')).toBeGreaterThan(attr(cells[0]![0], 'y'));
    expect(attr(cells[1]![0], 'x')).toBeGreaterThan(attr(cells[0]![0], 'x'));
    for (const s of ['>p<', '>q<', '>r<', '>s<', '>0.25<']) expect(svg).toContain(s);
  });

  it('centres a diverging ramp on zero', () => {
    const svg = heatmap([[-1, 0, 3]], { ramp: 'diverging' });
    const cells = [...svg.matchAll(/<rect [^>]*><title>/g)].map((m) => m[0]);
    expect(cells[1]).toContain('fill="rgb(247,247,247)"');
  });

  it('refuses ragged rows and label counts that do not match', () => {
    expect(() => heatmap([[1, 2], [3]])).toThrow(/row 1 has 1 values, row 0 has 2/);
    expect(() => heatmap([[1, 2]], { xLabels: ['a'] })).toThrow(/1 xLabels for 2 columns/);
  });
});

describe('scatterPlot', () => {
  it('places points by value and shades the plane by the classifier', () => {
    const calls: number[] = [];
    const svg = scatterPlot(
      [
        { x: 0, y: 0, group: 0 },
        { x: 1, y: 1, group: 1 },
      ],
      {
        groupNames: ['no', 'yes'],
        background: {
          resolution: 4,
          predict: (ps) => {
            calls.push(ps.length);
            return ps.map(([x]) => (x > 0.5 ? 1 : 0));
          },
        },
      },
    );
    expect(calls).toEqual([16]);
    const circles = [...svg.matchAll(/<circle [^>]*>/g)].map((m) => m[0]);
    expect(circles).toHaveLength(2);
    expect(attr(circles[1]!, 'cx')).toBeGreaterThan(attr(circles[0]!, 'cx'));
    expect(attr(circles[1]!, 'cy')).toBeLessThan(attr(circles[0]!, 'cy'));
    const cells = [
      ...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="([^"]*)"\/>/g),
    ];
    const fills = new Set(cells.map((c) => c[1]));
    expect(fills.size).toBe(2);
    expect(() => scatterPlot([], { background: { predict: () => [1] } })).toThrow(
      /returned 1 values for 1600 points/,
    );
  });
});

describe('barPlot', () => {
  it('draws bars from zero with heights in proportion', () => {
    const svg = barPlot([
      { label: 'a', value: 1 },
      { label: 'b', value: 3 },
    ]);
    const bars = [...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)" fill="#/g)].map(
      (m) => Number(m[1]),
    );
    expect(bars).toHaveLength(2);
    expect(bars[1]! / bars[0]!).toBeCloseTo(3, 1);
    const grouped = barPlot([{ label: 'l1', value: [1, 2] }], { seriesNames: ['x', 'y'] });
    expect([...grouped.matchAll(/fill="#(0072b2|d55e00)"/g)].length).toBeGreaterThanOrEqual(2);
  });
});

describe('clip-path ids', () => {
  it('are the same for the same chart and differ between charts', () => {
    const a = linePlot({ y: [1, 2] });
    const b = linePlot({ y: [1, 3] });
    const id = (svg: string) => /clipPath id="([^"]+)"/.exec(svg)![1]!;
    expect(linePlot({ y: [1, 2] })).toBe(a);
    expect(id(a)).not.toBe(id(b));
    expect(a).toContain(`url(#${id(a)})`);
    expect(a).not.toContain('?');
  });
});
