// Failures as HTTPException with a fixed, input-free message; app.onError shapes them.
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error whose code is more specific than its status (`totp_required` rather than `unauthorized`). */
export class CodedHttpException extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(status, { message });
  }
}

export function apiError(status: ContentfulStatusCode, message: string, headers?: Record<string, string>): HTTPException {
  return new HTTPException(status, { message, res: headers ? new Response(null, { status, headers }) : undefined });
}

/** For answers a client acts on: it tests `error.code`, never the message. */
export function codedError(status: ContentfulStatusCode, code: string, message: string): HTTPException {
  return new CodedHttpException(status, code, message);
}

/** The one answer for a missing id and for another tenant's id, so neither can be told apart. */
export function notFound(): HTTPException {
  return apiError(404, 'Not found');
}
