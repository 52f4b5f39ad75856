import { describe, expect, it } from 'vitest';
import { dominates, paretoFront, tradeoffSentences, type ParetoPoint } from './pareto';

const p = (key: string, cost: number | null, loss: number | null): ParetoPoint => ({ key, cost, loss });

describe('paretoFront', () => {
  it('keeps the non-dominated strategies only', () => {
    const front = paretoFront([p('6', 10, 0.2), p('9', 14, 0.18), p('4', 8, 0.25), p('10', 16, 0.19), p('8', 12, 0.21)]);
    expect([...front].sort()).toEqual(['4', '6', '9']); // 10 is dominated by 9 (cheaper and better), 8 by 6
  });

  it('ties on both numbers are on the front together; a tie on one number needs the other lower', () => {
    expect([...paretoFront([p('a', 10, 0.2), p('b', 10, 0.2)])].sort()).toEqual(['a', 'b']);
    expect([...paretoFront([p('a', 10, 0.2), p('b', 10, 0.3)])]).toEqual(['a']);
    expect([...paretoFront([p('a', 10, 0.2), p('b', 12, 0.2)])]).toEqual(['a']);
  });

  it('a strategy missing time or validation is never on the front, and dominates nothing', () => {
    expect([...paretoFront([p('a', null, 0.1), p('b', 10, null), p('c', 20, 0.3)])]).toEqual(['c']);
    expect(dominates(p('a', null, 0.1), p('c', 20, 0.3))).toBe(false);
  });

  it('property: a dominated point is never on the front, and every point off the front is dominated', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 200; trial++) {
      const points = Array.from({ length: 2 + Math.floor(random() * 8) }, (_, i) =>
        p(String(i), Math.round(random() * 5), Math.round(random() * 5) / 10),
      );
      const front = paretoFront(points);
      for (const x of points) {
        const dominated = points.some((y) => dominates(y, x));
        expect(front.has(x.key)).toBe(!dominated);
      }
    }
  });
});

describe('tradeoffSentences', () => {
  it('walks the front from the cheapest, with percent time and absolute loss', () => {
    const members = [
      { key: '9', name: '9 layers', cost: 13.8, loss: 0.196 },
      { key: '6', name: '6 layers', cost: 10, loss: 0.2 },
    ];
    expect(tradeoffSentences(members, () => true)).toEqual(['9 layers costs 38% more time than 6 layers for 0.004 lower validation loss.']);
    expect(tradeoffSentences(members, () => false)).toEqual([
      '9 layers costs 38% more time than 6 layers for 0.004 lower validation loss — not established yet (overlapping or single-run intervals).',
    ]);
  });

  it('ties say so; one member says nothing', () => {
    expect(
      tradeoffSentences(
        [
          { key: 'a', name: 'a', cost: 10, loss: 0.2 },
          { key: 'b', name: 'b', cost: 10, loss: 0.2 },
        ],
        () => false,
      ),
    ).toEqual(['b and a tie on the front.']);
    expect(tradeoffSentences([{ key: 'a', name: 'a', cost: 10, loss: 0.2 }], () => false)).toEqual([]);
  });
});
