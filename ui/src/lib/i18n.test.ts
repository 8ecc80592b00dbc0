import { describe, expect, it } from 'vitest';
import { i18n, messages, t, toggleLanguage } from './i18n.svelte';

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
});
