// sigma keys rotate: re-wraps every tenant's data key under a new master key.
import { parseArgs } from 'node:util';
import { decodeMasterKey } from '../../crypto/key-ring.ts';
import { rotateMasterKey } from '../../node/key-rotation.ts';
import { UsageError } from '../io.ts';
import { openAdminContext, type AdminIo } from './context.ts';

const USAGE = `Usage: sigma keys rotate [--data-dir DIR] [--new-key-stdin]
  With the key file (the default), a new key is made and master.key replaced; the old key
  moves to master.key.previous, which backups made before the rotation need.
  With SIGMA_MASTER_KEY, give the new key (base64 of 32 bytes) on standard input.`;

export async function keysCommand(args: string[], io: AdminIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'rotate') throw new UsageError(USAGE);
  const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' }, 'new-key-stdin': { type: 'boolean' } } });
  if (io.env.SIGMA_MASTER_KEY && !values['new-key-stdin']) throw new UsageError(USAGE);
  const newKey = values['new-key-stdin'] ? decodeMasterKey(await io.readStdin()) : undefined;
  const context = await openAdminContext(io, values['data-dir']);
  try {
    const result = await rotateMasterKey({ dataDir: context.dataDir, env: io.env, store: context.store, clock: context.clock, newKey });
    io.print(JSON.stringify(result));
    if (result.mode === 'environment') {
      io.print(
        'Now set SIGMA_MASTER_KEY to the new key and SIGMA_PREVIOUS_MASTER_KEYS to the old one on every server; ' +
          'keep the old key while backups made before this rotation are kept.',
      );
    }
  } finally {
    context.close();
  }
}
