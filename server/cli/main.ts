// The `sigma` command line: npm run --silent sigma -- <command> [options]
import { parseArgs } from 'node:util';
import { SIGMA_VERSION } from '../../shared/version.ts';
import { startNodeServer } from '../node/server.ts';

const USAGE = `Usage: npm run --silent sigma -- <command> [options]

Commands:
  serve      Serve the app and the API (what npm start runs)
  version    Print the version

Environment for serve:
  PORT (8787), HOST (127.0.0.1), SIGMA_DATA_DIR (./data),
  SIGMA_MASTER_KEY (base64 of 32 bytes; default: a key file in the data folder),
  SIGMA_TLS_CERT and SIGMA_TLS_KEY (PEM files; serve HTTPS)
`;

class UsageError extends Error {}

async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const env = process.env;
  const portText = values.port ?? env.PORT ?? '8787';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`PORT must be 0 to 65535, not "${portText}"`);
  const running = await startNodeServer({
    port,
    host: values.host ?? env.HOST ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? env.SIGMA_DATA_DIR ?? './data',
    buildDir: env.SIGMA_BUILD_DIR ?? './build',
    tlsCertFile: env.SIGMA_TLS_CERT,
    tlsKeyFile: env.SIGMA_TLS_KEY,
    env,
  });
  for (const warning of running.warnings) console.warn(warning);
  console.log(`Sigma ${SIGMA_VERSION} is running at ${running.url}`);
  const stop = () => {
    running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'version':
      console.log(SIGMA_VERSION);
      return;
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`Unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
