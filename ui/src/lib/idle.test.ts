import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdleLock } from './idle';

describe('createIdleLock', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('locks after the idle time and not before', () => {
    const onIdle = vi.fn();
    createIdleLock(60_000, onIdle);
    vi.advanceTimersByTime(59_999);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledOnce();
  });

  it('starts the wait again on every touch, and never fires once stopped', () => {
    const onIdle = vi.fn();
    const lock = createIdleLock(60_000, onIdle);
    vi.advanceTimersByTime(50_000);
    lock.poke();
    vi.advanceTimersByTime(50_000);
    expect(onIdle).not.toHaveBeenCalled();
    lock.stop();
    vi.advanceTimersByTime(120_000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
