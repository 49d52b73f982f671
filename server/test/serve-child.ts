// `sigma serve` for tests that need a real server process (to kill it, for one): the same
// startNodeServer, without the command line's other commands. Prints "running at URL".
import { startNodeServer } from '../node/server.ts';

const env = process.env;
const running = await startNodeServer({
  port: 0,
  host: '127.0.0.1',
  dataDir: env.SIGMA_DATA_DIR!,
  buildDir: env.SIGMA_BUILD_DIR!,
  env,
});
console.log(`running at ${running.url}`);
process.once('SIGTERM', () => {
  running.close().then(() => process.exit(0));
});
