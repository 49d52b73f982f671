// Server settings from the environment of the Node process.
import type { SettingsOverrides } from '../settings.ts';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

function positive(env: Record<string, string | undefined>, name: string, unit: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new SettingsError(`${name} must be a positive number, not "${text}"`);
  return Math.round(value * unit);
}

const HOUR = 60 * 60 * 1000;

/**
 * SIGMA_SESSION_IDLE_HOURS (8), SIGMA_SESSION_MAX_DAYS (30), SIGMA_MAX_UPLOAD_MB (100),
 * SIGMA_PUBLIC_URL (the https:// address users open, when a TLS proxy is in front).
 */
export function settingsFromEnv(env: Record<string, string | undefined>): SettingsOverrides {
  const idleTimeoutMs = positive(env, 'SIGMA_SESSION_IDLE_HOURS', HOUR);
  const absoluteLifetimeMs = positive(env, 'SIGMA_SESSION_MAX_DAYS', 24 * HOUR);
  const maxUploadBytes = positive(env, 'SIGMA_MAX_UPLOAD_MB', 1024 * 1024);
  let publicOrigin: string | undefined;
  if (env.SIGMA_PUBLIC_URL) {
    try {
      publicOrigin = new URL(env.SIGMA_PUBLIC_URL).origin;
    } catch {
      throw new SettingsError('SIGMA_PUBLIC_URL must be a URL such as https://sigma.example.com');
    }
  }
  return {
    session: {
      ...(idleTimeoutMs ? { idleTimeoutMs } : {}),
      ...(absoluteLifetimeMs ? { absoluteLifetimeMs } : {}),
    },
    ...(maxUploadBytes ? { maxUploadBytes } : {}),
    ...(publicOrigin ? { publicOrigin } : {}),
  };
}
