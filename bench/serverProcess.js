// The server benchmarks' side of bench/http-server.js: start it in its own
// process (as `ghost-hb serve` runs), talk to it over IPC, and measure the
// spacing of its monitor's polls idle and under a load, so each benchmark can
// confirm the poll interval holds while it loads the API.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Fork http-server.js in `mode` ('ghost-hb' or 'baseline') over `daemons`
 * daemons polled every `intervalS`; resolves with the child and its URL.
 */
export function startServer(mode, tmp, { daemons = 100, intervalS = 1, token, env = {} } = {}) {
  const child = fork(
    path.join(here, 'http-server.js'),
    [mode, tmp, String(daemons), String(intervalS)],
    {
      env: { ...process.env, BENCH_TOKEN: token, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: m.url }));
    child.once('exit', (c) => reject(new Error(`${mode} server exited with ${c}`)));
  });
}

/** Ask the server process for 'rss' or 'polls' (the polls since the last ask). */
export const ask = (child, what) =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send(what);
  });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The spacing of the polls made since the last ask: count, median and largest gap, median poll time. */
export async function pollSpacing(child) {
  const { polls } = await ask(child, 'polls');
  return spacingOf(polls);
}

/** Polls ({ at, ms }) as a count, the median and largest gap between them, and the median poll time. */
export function spacingOf(polls) {
  const gaps = [];
  for (let i = 1; i < polls.length; i++) gaps.push(polls[i].at - polls[i - 1].at);
  return {
    polls: polls.length,
    gapMedian: gaps.length ? median(gaps) : null,
    gapMax: gaps.length ? Math.max(...gaps) : null,
    pollMs: polls.length ? median(polls.map((p) => p.ms)) : null,
  };
}

/** Let the first polls pass, then measure `ms` of idle polling (the baseline for the spacing under load). */
export async function idleSpacing(child, ms) {
  await sleep(1500);
  await ask(child, 'polls');
  await sleep(ms);
  return pollSpacing(child);
}

/** printTable columns for pollSpacing rows. */
export const SPACING_COLUMNS = [
  { key: 'polls', label: 'polls', digits: 0 },
  { key: 'gapMedian', label: 'gap median ms', digits: 1 },
  { key: 'gapMax', label: 'gap max ms', digits: 1 },
  { key: 'pollMs', label: 'poll median ms', digits: 1 },
];
