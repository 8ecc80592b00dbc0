import { describe, expect, it } from 'vitest';
import { Latest } from './latest';

describe('Latest', () => {
  it('lets only the last question show its answer, whatever order the answers come in', async () => {
    const latest = new Latest();
    let shown = '';
    const ask = (answer: string, after: Promise<void>) => {
      const current = latest.begin();
      return after.then(() => {
        if (current()) shown = answer;
      });
    };
    let releaseFirst = () => {};
    const first = ask('trial balance', new Promise((resolve) => (releaseFirst = resolve)));
    const second = ask('profit and loss', Promise.resolve());
    await second;
    expect(shown).toBe('profit and loss');
    releaseFirst();
    await first;
    expect(shown).toBe('profit and loss');
  });

  it('keeps a single question current', () => {
    const latest = new Latest();
    const current = latest.begin();
    expect(current()).toBe(true);
    latest.begin();
    expect(current()).toBe(false);
  });
});
