// The UI language: from the browser on first visit, then the user's choice (kept in localStorage).
import { pickLocale, tables, type Locale, type MessageKey } from '../i18n/messages.ts';

const STORAGE_KEY = 'sigma.locale';

class LocaleState {
  current = $state<Locale>('en');

  constructor() {
    if (typeof window === 'undefined') return;
    const saved = localStorage.getItem(STORAGE_KEY);
    this.current = saved === 'en' || saved === 'ja' ? saved : pickLocale(navigator.languages);
    document.documentElement.lang = this.current;
  }

  set(locale: Locale): void {
    this.current = locale;
    localStorage.setItem(STORAGE_KEY, locale);
    document.documentElement.lang = locale;
  }

  t = (key: MessageKey): string => tables[this.current][key];

  // Making an Intl.NumberFormat costs far more than formatting with one (a 60-row table made
  // 700 of them, 40 ms of main thread), so each locale and precision gets one, made once.
  #formats = new Map<string, Intl.NumberFormat>();

  number = (value: number, digits = 3): string => {
    if (!Number.isFinite(value)) return '–';
    const key = `${this.current} ${digits}`;
    let format = this.#formats.get(key);
    if (!format) this.#formats.set(key, (format = new Intl.NumberFormat(this.current, { maximumSignificantDigits: digits })));
    return format.format(value);
  };
}

export const locale = new LocaleState();
