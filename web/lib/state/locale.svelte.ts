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

  number = (value: number, digits = 3): string =>
    Number.isFinite(value) ? new Intl.NumberFormat(this.current, { maximumSignificantDigits: digits }).format(value) : '–';
}

export const locale = new LocaleState();
