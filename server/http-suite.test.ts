// The HTTP suite in-process: createApp on SQLite in memory, with a clock the tests move.
import { operatorTokenHash } from './routes/operator.ts';
import { httpSuite } from './test/http-suite.ts';
import { createTestApp, manualClock } from './test/memory-ports.ts';

const OPERATOR_TOKEN = 'in-process-operator-token-0123456789abcdef';
const MAX_UPLOAD_BYTES = 4096;

httpSuite('the HTTP API in-process (app.request)', async () => {
  const clock = manualClock();
  const { app, store } = await createTestApp({ clock, settings: { maxUploadBytes: MAX_UPLOAD_BYTES }, operatorTokenHash: operatorTokenHash(OPERATOR_TOKEN) });
  return {
    target: app,
    operatorToken: OPERATOR_TOKEN,
    maxUploadBytes: MAX_UPLOAD_BYTES,
    advanceClock: async (ms) => clock.advance(ms),
    sql: async (sql, params = []) => (/^\s*select/i.test(sql) ? store.all(sql, params) : (await store.run(sql, params), [])),
  };
});
