// Administration commands (tenants, users, backups, keys, audit), dispatched by name from main.ts.
import { auditCommand } from './admin/audit.ts';
import { tenantCommand, userCommand } from './admin/accounts.ts';
import { backupCommand, purgeCommand, restoreCommand } from './admin/backup.ts';
import { processIo } from './admin/context.ts';
import { keysCommand } from './admin/keys.ts';

export const adminCommands: Readonly<Record<string, (args: string[]) => Promise<void>>> = {
  tenant: (args) => tenantCommand(args, processIo),
  user: (args) => userCommand(args, processIo),
  audit: (args) => auditCommand(args, processIo),
  keys: (args) => keysCommand(args, processIo),
  backup: (args) => backupCommand(args, processIo),
  restore: (args) => restoreCommand(args, processIo),
  purge: (args) => purgeCommand(args, processIo),
};
