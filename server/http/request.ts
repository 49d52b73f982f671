// Reading request bodies within limits and checking them against their shared schema.
import type { Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../app.ts';
import { apiError } from './errors.ts';

/** The body as bytes, refused with 413 as soon as it passes `limit` (Content-Length is not trusted alone). */
export async function readBytes(c: Context<AppEnv>, limit: number): Promise<Uint8Array> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw apiError(413, 'The request body is too large');
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw apiError(413, 'The request body is too large');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

export async function readJson<S extends v.GenericSchema>(c: Context<AppEnv>, schema: S): Promise<v.InferOutput<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw apiError(415, 'The request body must be application/json');
  const bytes = await readBytes(c, c.var.settings.maxJsonBytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw apiError(400, 'The request body is not valid JSON');
  }
  const result = v.safeParse(schema, value);
  if (!result.success) {
    // Name the field (a key of our own schema), never the value that was sent.
    const path = v.getDotPath(result.issues[0]);
    throw apiError(400, path ? `Invalid field: ${path}` : 'The request body does not have the expected shape');
  }
  return result.output;
}

export interface ClientInfo {
  readonly address: string | null;
  readonly userAgent: string | null;
}

export function clientOf(c: Context<AppEnv>): ClientInfo {
  const userAgent = c.req.header('user-agent')?.slice(0, 512) ?? null;
  return { address: c.var.deps.clientAddress?.(c) ?? null, userAgent };
}
