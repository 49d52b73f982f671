import * as v from 'valibot';

export const HealthResponse = v.object({
  status: v.literal('ok'),
  version: v.string(),
});
export type HealthResponse = v.InferOutput<typeof HealthResponse>;
