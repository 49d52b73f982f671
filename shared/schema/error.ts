import * as v from 'valibot';

/** Every API error has this shape; the message never echoes the request back. */
export const ErrorResponse = v.object({
  error: v.object({
    code: v.string(),
    message: v.string(),
  }),
});
export type ErrorResponse = v.InferOutput<typeof ErrorResponse>;
