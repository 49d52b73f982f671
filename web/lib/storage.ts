// The browser's storage for this origin: how much the local store uses, and whether the
// browser has promised not to evict it under storage pressure (navigator.storage.persist,
// https://storage.spec.whatwg.org/#persistence). Asked once, when the first project is made.
const ASKED_KEY = 'sigma.persistAsked';

export interface StorageStatus {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

/** Asks for persistent storage the first time it is called on this device; null when not asked. */
export async function askPersistenceOnce(): Promise<boolean | null> {
  if (!navigator.storage?.persist || localStorage.getItem(ASKED_KEY)) return null;
  localStorage.setItem(ASKED_KEY, String(Date.now()));
  try {
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}

export async function requestPersistence(): Promise<boolean> {
  return (await navigator.storage?.persist?.()) ?? false;
}

export async function storageStatus(): Promise<StorageStatus> {
  const storage = navigator.storage;
  const [estimate, persisted] = await Promise.all([storage?.estimate?.() ?? Promise.resolve(undefined), storage?.persisted?.() ?? Promise.resolve(null)]);
  return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted };
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** Bytes in the largest decimal unit that keeps the number at 1 or more, in the locale's words ("1.5 MB", "1.5 MB" in ja). */
export function formatBytes(bytes: number, locale: string): string {
  let unit = 0;
  let value = bytes;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: UNITS[unit], unitDisplay: 'short', maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
}
