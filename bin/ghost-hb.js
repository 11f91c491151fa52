#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm install`).
// `beat` and `run` go to the light entry point before the full CLI (meow, Ink,
// zod, cosmiconfig) is loaded: a shell loop may beat every few seconds.
const sub = process.argv[2];
const entry =
  sub === 'beat' || sub === 'run'
    ? import('../dist/cli/fast.js').then((m) => m.fastMain(process.argv.slice(2)))
    : import('../dist/cli/main.js').then((m) => m.main());

entry.then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(
      `ghost-hb: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 3;
  },
);
