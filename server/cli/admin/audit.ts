// sigma audit verify: checks every hash chain (each tenant's and the service's).
import { parseArgs } from 'node:util';
import { listChains, verifyChain } from '../../audit/log.ts';
import { UsageError } from '../io.ts';
import { openAdminContext, type AdminIo } from './context.ts';

export class AuditBrokenError extends Error {
  override name = 'AuditBrokenError';
}

export async function auditCommand(args: string[], io: AdminIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') throw new UsageError('Usage: sigma audit verify [--data-dir DIR]');
  const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } } });
  const context = await openAdminContext(io, values['data-dir']);
  const broken: string[] = [];
  try {
    for (const chain of await listChains(context.store)) {
      const result = await verifyChain(context.store, chain);
      io.print(JSON.stringify({ chain, ...result }));
      if (!result.ok) broken.push(`${chain} at seq ${result.firstBrokenSeq}`);
    }
  } finally {
    context.close();
  }
  if (broken.length > 0) throw new AuditBrokenError(`The audit log is broken: ${broken.join('; ')}`);
}
