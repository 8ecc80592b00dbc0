import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import Keypad from './Keypad.svelte';

describe('Keypad', () => {
  it('hides the digits and hands the PIN over on Enter', async () => {
    const onsubmit = vi.fn();
    render(Keypad, { onsubmit });
    for (const digit of ['1', '2', '3', '4']) await fireEvent.click(screen.getByRole('button', { name: digit }));
    expect(screen.getByTestId('pin-dots').textContent).toBe('••••');
    await fireEvent.click(screen.getByTestId('pin-enter'));
    expect(onsubmit).toHaveBeenCalledWith('1234');
    expect(screen.getByTestId('pin-dots').textContent?.trim()).toBe('');
  });

  it('takes the keyboard too, and never submits an empty PIN', async () => {
    const onsubmit = vi.fn();
    render(Keypad, { onsubmit });
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(onsubmit).not.toHaveBeenCalled();
    for (const key of ['9', '8', '7', 'Backspace', '6', 'Enter']) await fireEvent.keyDown(window, { key });
    expect(onsubmit).toHaveBeenCalledWith('986');
  });
});
