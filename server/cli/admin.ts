// Administration commands (tenants, users, backups, keys, audit), dispatched by name from main.ts.
import { auditCommand } from './admin/audit.ts';
import { tenantCommand, userCommand } from './admin/accounts.ts';
import { processIo } from './admin/context.ts';

export const adminCommands: Readonly<Record<string, (args: string[]) => Promise<void>>> = {
  tenant: (args) => tenantCommand(args, processIo),
  user: (args) => userCommand(args, processIo),
  audit: (args) => auditCommand(args, processIo),
};
