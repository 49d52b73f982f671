// The Worker as the workerd tests run it: the production handlers (createWorker) around a
// clock the tests move, plus two test-only routes to move it and to reach D1 and R2 the way
// someone with access to the storage could. Only server/worker/workerd.test.ts names this
// file as its entry; wrangler.toml (what is deployed) names server/worker/index.ts.
import { createWorker, type WorkerEnv } from '../worker/index.ts';

let offsetMs = 0;
const worker = createWorker({ now: () => new Date(Date.now() + offsetMs) });

type TestCommand =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'sql'; readonly sql: string; readonly params: readonly (string | number | null)[] }
  | { readonly kind: 'put-blob'; readonly key: string; readonly bytes: readonly number[] }
  | { readonly kind: 'list-blobs'; readonly prefix: string };

async function runTestCommand(command: TestCommand, env: WorkerEnv): Promise<unknown> {
  const db = env.DB;
  const bucket = env.BLOBS;
  switch (command.kind) {
    case 'advance':
      offsetMs += command.ms;
      return { now: new Date(Date.now() + offsetMs).toISOString() };
    case 'sql':
      return (await db.prepare(command.sql).bind(...command.params).all()).results;
    case 'put-blob':
      await bucket.put(command.key, new Uint8Array(command.bytes));
      return {};
    case 'list-blobs':
      return (await bucket.list({ prefix: command.prefix })).objects.map((o) => o.key);
  }
}

export default {
  scheduled: worker.scheduled,
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    if (new URL(request.url).pathname === '/__test') return Response.json(await runTestCommand((await request.json()) as TestCommand, env));
    return worker.fetch(request, env);
  },
};
