import { join } from 'node:path';
import { run, type Io } from './cli.js';

/** The process entry: real streams in, exit status out. Everything else lives in cli.ts. */
const io: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: () => process.stdin,
  drain: () => new Promise((resolve) => process.stdout.once('drain', resolve)),
  // the bundle's sibling (scripts/build.mjs builds both); main.ts runs only as the bundle
  workerEntry: join(__dirname, 'pipeline-worker.cjs'),
};

// A reader that stops early (`focal … | head -1`) closes the pipe: end quietly, status 0.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`focal: cannot write output: ${err.message}\n`);
  process.exit(1);
});

run(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
