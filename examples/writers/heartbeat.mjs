/* global process, console */
// Write a ghost-hb heartbeat atomically from Node.js without installing
// ghost-hb (with it installed, `import { writeHeartbeat } from 'ghost-hb'`).
// Usage: node heartbeat.mjs DIR NAME [INTERVAL_SECONDS]
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function beat(
  dir,
  name,
  { interval, status = 'ok', message, pid = process.pid } = {},
) {
  const doc = { name, pid, ts: new Date().toISOString(), status };
  if (interval !== undefined) doc.interval = interval;
  if (message !== undefined) doc.message = message;
  // A dotfile temp (ignored by the monitor), O_EXCL, fsync, rename.
  const tmp = path.join(dir, `.${name}.json.${process.pid}.${Date.now()}.tmp`);
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(doc)}\n`);
    await fh.sync();
    await fh.close();
    await fs.rename(tmp, path.join(dir, `${name}.json`));
  } catch (err) {
    await fh.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, name, interval] = process.argv.slice(2);
  if (!dir || !name) {
    console.error('usage: node heartbeat.mjs DIR NAME [INTERVAL_SECONDS]');
    process.exit(3);
  }
  // Run as a command, the daemon is the caller, not this process.
  await beat(dir, name, {
    pid: process.ppid,
    ...(interval === undefined ? {} : { interval: Number(interval) }),
  });
}
