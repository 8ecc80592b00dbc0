import { describe, expect, it } from 'vitest';
import { formatAge, formatKes, formatLocalTime, formatTime, parseAmountInput } from './format';

describe('formatKes', () => {
  it('groups thousands and always shows cents', () => {
    expect(formatKes('1234.5')).toBe('KES 1,234.50');
    expect(formatKes('1234567.89')).toBe('KES 1,234,567.89');
    expect(formatKes('50')).toBe('KES 50.00');
    expect(formatKes('0.00')).toBe('KES 0.00');
  });
  it('keeps the sign of a negative amount and drops it from zero', () => {
    expect(formatKes('-20')).toBe('KES -20.00');
    expect(formatKes('-0.00')).toBe('KES 0.00');
  });
  it('shows anything that is not an amount unchanged', () => {
    expect(formatKes('abc')).toBe('abc');
  });
});

describe('parseAmountInput', () => {
  it('accepts what a cashier types', () => {
    expect(parseAmountInput('1,000')).toBe('1000');
    expect(parseAmountInput(' 250.5 ')).toBe('250.5');
    expect(parseAmountInput('KES 70')).toBe('70');
  });
  it('refuses what is not an amount', () => {
    expect(parseAmountInput('')).toBeNull();
    expect(parseAmountInput('12.345')).toBeNull();
    expect(parseAmountInput('-5')).toBeNull();
    expect(parseAmountInput('1e3')).toBeNull();
  });
});

describe('formatTime', () => {
  it('shows the till-local date and time', () => {
    expect(formatTime('2026-11-22T10:05:00+03:00')).toBe('22/11/2026 10:05');
  });
});

describe('formatLocalTime', () => {
  it('shows a UTC moment as day/month/year hours:minutes in local time', () => {
    // Noon UTC is the 22nd in every inhabited time zone (UTC-11 to UTC+11).
    expect(formatLocalTime('2026-11-22T12:05:00Z')).toMatch(/^22\/11\/2026 \d{2}:\d{2}$/);
    expect(formatLocalTime('2026-11-22T12:05:00.123456Z')).toMatch(/^22\/11\/2026 \d{2}:\d{2}$/);
  });
  it('shows anything that is not a time unchanged', () => {
    expect(formatLocalTime('yesterday')).toBe('yesterday');
  });
});

describe('formatAge', () => {
  it('shows minutes, then hours and minutes, then days and hours', () => {
    expect(formatAge(59)).toBe('0 min');
    expect(formatAge(45 * 60)).toBe('45 min');
    expect(formatAge(3 * 3600 + 5 * 60 + 59)).toBe('3 h 05 min');
    expect(formatAge(2 * 86400 + 4 * 3600)).toBe('2 d 4 h');
  });
  it('shows a negative age (a clock behind) as none', () => {
    expect(formatAge(-30)).toBe('0 min');
  });
});
