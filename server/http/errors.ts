// Failures as HTTPException with a fixed, input-free message; app.onError shapes them.
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export function apiError(status: ContentfulStatusCode, message: string, headers?: Record<string, string>): HTTPException {
  return new HTTPException(status, { message, res: headers ? new Response(null, { status, headers }) : undefined });
}

/** The one answer for a missing id and for another tenant's id, so neither can be told apart. */
export function notFound(): HTTPException {
  return apiError(404, 'Not found');
}
