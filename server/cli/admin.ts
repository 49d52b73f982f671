// Administration commands (tenants, users, backups, keys, audit), dispatched by name from main.ts.
export const adminCommands: Readonly<Record<string, (args: string[]) => Promise<void>>> = {};
