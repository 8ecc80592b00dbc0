import { describe, expect, it } from 'vitest';
import { i18n, messages, t, tf, toggleLanguage } from './i18n.svelte';

describe('messages', () => {
  it('has every key in English and Swahili, none empty', () => {
    expect(Object.keys(messages.sw).sort()).toEqual(Object.keys(messages.en).sort());
    for (const language of ['en', 'sw'] as const) {
      for (const [key, text] of Object.entries(messages[language])) {
        expect(text.trim(), `${language}.${key}`).not.toBe('');
      }
    }
  });
  it('switches language', () => {
    expect(t('pay')).toBe('Pay');
    toggleLanguage();
    expect(i18n.language).toBe('sw');
    expect(t('pay')).toBe('Lipa');
    toggleLanguage();
    expect(t('pay')).toBe('Pay');
  });
  it('fills the places of a message, in both languages, with the same places', () => {
    expect(tf('recovery_lost', { lost: 3 })).toBe('3 event(s) recorded after the backup never reached head office and are gone.');
    expect(tf('login_clock_off', {})).toContain('{minutes}');
    const places = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(messages.en) as (keyof typeof messages.en)[]) {
      expect(places(messages.sw[key]), key).toEqual(places(messages.en[key]));
    }
  });
});
