import { describe, expect, it } from 'vitest';
import { en, ja, pickLocale } from './messages.ts';

describe('messages', () => {
  it('has a Japanese string for every English key, and no extra', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const value of Object.values(ja)) expect(value.trim()).not.toBe('');
  });

  it('picks the first preferred language we speak', () => {
    expect(pickLocale(['ja-JP', 'en-US'])).toBe('ja');
    expect(pickLocale(['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLocale(['de'])).toBe('en');
  });
});
