import { describe, expect, it } from 'vitest';
import { Action } from './action.svelte';

describe('Action', () => {
  it('is busy while the work runs and clears an earlier refusal', async () => {
    const action = new Action();
    action.error = 'earlier';
    let seenBusy = false;
    await action.run(async () => {
      seenBusy = action.busy;
    });
    expect([seenBusy, action.busy, action.error]).toEqual([true, false, '']);
  });

  it("shows a refusal in the till's words for its code, Rust's message as the detail", async () => {
    const action = new Action();
    await action.run(async () => {
      throw { code: 'wrong_pin', message: 'That PIN is not right' };
    });
    expect([action.busy, action.error]).toEqual([false, 'Wrong PIN. (That PIN is not right)']);
  });
});
