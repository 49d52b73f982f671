// Assembles the embedded default: SQLite file, blob folder and master key in the data
// folder, the built web app from build/, all served by one Node process.
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from '../app.ts';
import { createArgon2idHasher } from '../auth/password.ts';
import { createKeyRing } from '../crypto/key-ring.ts';
import { clientAddressBehindProxies } from '../http/address.ts';
import { inlineScriptHashes } from '../middleware/security-headers/index.ts';
import { systemClock } from '../ports.ts';
import { migrate } from '../store/migrate.ts';
import { SIGMA_VERSION } from '../../shared/version.ts';
import { createFsBlobStore, removeTemporaryFiles } from './fs-blob-store.ts';
import { loadMasterKey, loadOtherMasterKeys, reloadMasterKeys } from './master-key.ts';
import { runDailyJobs, scheduleDaily, type DailySchedule } from './daily-jobs.ts';
import { resolveSettings } from '../settings.ts';
import { dailyJobsAtFromEnv, operatorTokenHashFromEnv, SettingsError, settingsFromEnv, trustedProxiesFromEnv } from '../settings-from-env.ts';
import { createSmtpMailer, smtpSettingsFromEnv } from '../mail/smtp.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { staticAssets } from './static-assets.ts';

export interface NodeServerOptions {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly buildDir: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  readonly env: Record<string, string | undefined>;
}

export interface RunningServer {
  readonly url: string;
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = openSqliteStore(join(dataDir, 'sigma.db'));
  await migrate(store, systemClock);
  await removeTemporaryFiles(join(dataDir, 'blobs'));
  const masterKey = loadMasterKey(dataDir, options.env);
  const assets = staticAssets(resolve(options.buildDir));
  const settings = settingsFromEnv(options.env);
  const trustedProxies = trustedProxiesFromEnv(options.env);
  const operatorTokenHash = operatorTokenHashFromEnv(options.env);
  const smtp = smtpSettingsFromEnv(options.env, (message) => new SettingsError(message));
  const dailyAt = dailyJobsAtFromEnv(options.env);
  // Behind a TLS proxy the socket is plain HTTP but browsers speak HTTPS: cookies must be Secure.
  const directTls = Boolean(options.tlsCertFile && options.tlsKeyFile);
  const tls = directTls || Boolean(settings.publicOrigin?.startsWith('https:'));

  const blobs = createFsBlobStore(join(dataDir, 'blobs'));
  const app = createApp({
    store,
    blobs,
    keyRing: await createKeyRing(masterKey.bytes, {
      previous: loadOtherMasterKeys(dataDir, options.env),
      reload: () => reloadMasterKeys(dataDir, options.env),
    }),
    clock: systemClock,
    passwordHasher: createArgon2idHasher(),
    version: SIGMA_VERSION,
    settings,
    // The socket's peer, or behind a trusted proxy the address it forwards (README, Running behind TLS).
    clientAddress: (c) => clientAddressBehindProxies(getConnInfo(c).remote.address ?? null, c.req.header('x-forwarded-for'), trustedProxies),
    assets: assets.handler,
    scriptHashes: await inlineScriptHashes(assets.indexHtml),
    tls,
    operatorTokenHash,
    ...(smtp ? { mailer: createSmtpMailer(smtp) } : {}),
  });

  const warnings: string[] = [];
  if (!tls && !LOOPBACK.has(options.host)) {
    warnings.push(
      `Warning: listening on ${options.host} without TLS. Passwords and data would cross the network in clear; ` +
        'set SIGMA_TLS_CERT and SIGMA_TLS_KEY, or put a TLS proxy in front and bind to 127.0.0.1.',
    );
  }

  const server = await new Promise<ReturnType<typeof serve>>((resolveListening, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: options.port,
        hostname: options.host,
        ...(directTls
          ? {
              createServer: createHttpsServer,
              serverOptions: { cert: readFileSync(options.tlsCertFile!), key: readFileSync(options.tlsKeyFile!) },
            }
          : {}),
      },
      () => resolveListening(s),
    );
    s.once('error', reject);
  });
  const daily: DailySchedule | null =
    dailyAt &&
    scheduleDaily({
      clock: systemClock,
      at: dailyAt,
      job: async () => console.log(JSON.stringify({ daily: await runDailyJobs({ store, blobs, clock: systemClock, dataDir, settings: resolveSettings(settings) }) })),
      onError: (error) => console.error('The daily backup and purge failed:', error),
    });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `${directTls ? 'https' : 'http'}://${shownHost}:${port}`,
    warnings,
    close: () =>
      new Promise<void>((done) => {
        daily?.stop();
        server.close(() => {
          store.close();
          done();
        });
        // Keep-alive connections would otherwise hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
