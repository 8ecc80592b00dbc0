import { describe, expect, it } from 'vitest';
import codes from './generated/error-codes.json';
import { errorWords, wordsFor } from './errors';

describe('error words', () => {
  // Every code Rust can give (listed from its sources by `cargo xtask codes`): a refusal at the
  // till, the server's answer, a quarantine reason or flag.
  for (const [group, list] of Object.entries(codes)) {
    it(`has English and Swahili for every ${group} code`, () => {
      expect(list.length).toBeGreaterThan(10);
      for (const code of list) {
        expect(errorWords[code]?.en?.trim(), `${group}: ${code} in English`).toBeTruthy();
        expect(errorWords[code]?.sw?.trim(), `${group}: ${code} in Swahili`).toBeTruthy();
        expect(errorWords[code].sw, `${group}: ${code} is translated`).not.toBe(errorWords[code].en);
      }
    });
  }
  it('shows the words in the chosen language with Rust’s message as the detail', () => {
    expect(wordsFor('no_open_shift', 'no shift is open', 'sw')).toBe('Fungua droo kwanza. (no shift is open)');
    expect(wordsFor('no_open_shift', '', 'en')).toBe('Open the drawer first.');
    expect(wordsFor('wrong_pin', 'wrong PIN', 'en')).toBe('Wrong PIN.');
    expect(wordsFor('wrong_pin', 'wrong PIN', 'sw')).toBe('PIN si sahihi. (wrong PIN)');
    expect(wordsFor('from_a_newer_server', 'its own words', 'sw')).toBe('its own words');
  });
});
