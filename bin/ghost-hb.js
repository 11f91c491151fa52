#!/usr/bin/env -S node --max-semi-space-size=2
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm install`).
// The young generation is capped at 2 MB semi-spaces: a monitor allocates in
// short bursts a few times a minute, and V8's default (up to 16 MB each) let a
// 1,000-daemon poll grow it for good, ~25 MB of RSS for no saved CPU
// (`npm run bench render`). `node bin/ghost-hb.js` runs without the cap.
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
