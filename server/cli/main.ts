// The `sigma` command line: npm run --silent sigma -- <command> [options]
import { parseArgs } from 'node:util';
import { SIGMA_VERSION } from '../../shared/version.ts';
import { startNodeServer } from '../node/server.ts';
import { adminCommands } from './admin.ts';
import { designCommand } from './commands/design.ts';
import { explainCommand } from './commands/explain.ts';
import { optimizeCommand } from './commands/optimize.ts';
import { suggestCommand } from './commands/suggest.ts';
import { predictCommand } from './commands/predict.ts';
import { trainCommand } from './commands/train.ts';
import { UsageError } from './io.ts';

const USAGE = `Usage: npm run --silent sigma -- <command> [options]

Commands:
  serve      Serve the app and the API (what npm start runs)
  train      Train a model: --data FILE --outputs "a,b" --out model.json
             [--inputs "x,y"] [--ignore "id"] [--categorical "c"] [--log-outputs "a"]
             [--encoding auto|utf-8|shift_jis] [--sheet NAME]
             [--impute drop|zero|mean|median|iterative] [--model auto|nn|gp|linear]
             [--folds K] [--repeats R] [--seed N]
  predict    Predict with a model: --model model.json --data FILE [--out FILE.csv]
  optimize   Pareto set for a spec: --spec spec.json [--model a.json --model b.json]
             [--seed N] [--population P] [--generations G]
  explain    Factor analysis: --spec spec.json --model a.json [--data FILE] [--n 1024]
             [--pairs "a:b"] [--seed N]  (Sobol, SHAP, partial dependence, permutation)
  suggest    Next experiments: --spec spec.json --model a.json --data FILE [--count 4]
             [--acquisition ei|ucb] [--seed N] [--out sheet.csv]
  design     Space-filling plan: --spec spec.json [--n 10] [--method lhs|sobol]
             [--seed N] [--out sheet.csv]
  version    Print the version

Environment for serve:
  PORT (8787), HOST (127.0.0.1), SIGMA_DATA_DIR (./data),
  SIGMA_MASTER_KEY (base64 of 32 bytes; default: a key file in the data folder),
  SIGMA_TLS_CERT and SIGMA_TLS_KEY (PEM files; serve HTTPS)
`;

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
    case 'train':
      return trainCommand(rest);
    case 'predict':
      return predictCommand(rest);
    case 'optimize':
      return optimizeCommand(rest);
    case 'explain':
      return explainCommand(rest);
    case 'suggest':
      return suggestCommand(rest);
    case 'design':
      return designCommand(rest);
    case 'version':
      console.log(SIGMA_VERSION);
      return;
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      if (command in adminCommands) return adminCommands[command](rest);
      throw new UsageError(`Unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof Error && error.name === 'TypeError' && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(error.message);
    process.exit(2);
  }
  // Engine errors (a bad table, a damaged model file) carry a message meant for people.
  console.error(error instanceof Error ? `${error.name === 'Error' ? 'Error' : error.name}: ${error.message}` : error);
  process.exit(1);
});
