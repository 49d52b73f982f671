// A small client for in-process API tests: a signed-in user's requests, same-origin.
import type { createApp } from '../app.ts';
import type { Role } from '../auth/roles.ts';
import { createTenant, createUser, type AccountDeps } from '../tenants/tenants.ts';

/** Where requests go: createApp's app in-process, or an adapter that sends them to a running server. */
export interface RequestTarget {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

type App = ReturnType<typeof createApp>;

export const ORIGIN = 'http://localhost';
export const PASSWORD = 'correct horse battery staple';

export interface RequestOptions {
  body?: unknown;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

export class Client {
  constructor(
    readonly app: RequestTarget,
    public cookie: string | null = null,
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Origin: ORIGIN, ...options.headers };
    if (this.cookie) headers.Cookie = this.cookie;
    let body: BodyInit | undefined;
    if (options.bytes) {
      body = options.bytes as Uint8Array<ArrayBuffer>;
      headers['Content-Type'] ??= 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await this.app.request(path, { method, headers, body });
    const set = response.headers.get('set-cookie');
    if (set) {
      const pair = set.split(';')[0];
      this.cookie = pair.endsWith('=') ? null : pair;
    }
    return response;
  }

  get(path: string, options?: RequestOptions) {
    return this.request('GET', path, options);
  }
  post(path: string, body?: unknown, options?: RequestOptions) {
    return this.request('POST', path, { ...options, body });
  }
  patch(path: string, body?: unknown) {
    return this.request('PATCH', path, { body });
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}

export async function signIn(app: RequestTarget, email: string, password = PASSWORD): Promise<Client> {
  const client = new Client(app);
  const response = await client.post('/api/v1/auth/login', { email, password });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return client;
}

export interface SeededTenant {
  tenantId: string;
  ownerId: string;
  owner: Client;
  /** Signs in a new user of this tenant with the given role. */
  addUser(role: Role, email?: string): Promise<{ userId: string; client: Client }>;
}

export async function seedTenant(app: App, deps: AccountDeps, name: string): Promise<SeededTenant> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const { tenantId, userId } = await createTenant(deps, { name, adminEmail: `owner@${slug}.example`, password: PASSWORD });
  return {
    tenantId,
    ownerId: userId,
    owner: await signIn(app, `owner@${slug}.example`),
    async addUser(role, email = `${role}-${crypto.randomUUID().slice(0, 8)}@${slug}.example`) {
      const { userId: id } = await createUser(deps, { tenantId, email, password: PASSWORD, role });
      return { userId: id, client: await signIn(app, email) };
    },
  };
}
