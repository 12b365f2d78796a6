import { createHandler } from '../functions/refresh-monitor/index';
import { main } from '../lib/cli/main';
import type { RunReport } from '../lib/monitor';

main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(`${s}\n`),
  stderr: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  now: Date.now,
  handlerFactory: (env) => {
    const h = createHandler({ env, logDestination: { write: () => undefined } as never });
    return h as (event: unknown, context: unknown) => Promise<RunReport>;
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
