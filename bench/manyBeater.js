// Many daemons from one process, for the 1,000-daemon watch benchmark: beats
// N heartbeat files every BEAT_MS, spread over the interval as real daemons
// would be. Usage: node manyBeater.js DIST_DIR HEARTBEAT_DIR COUNT
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, dir, countArg] = process.argv.slice(2);
const { writeHeartbeat } = await import(pathToFileURL(path.join(dist, 'beat.js')).href);
const beatMs = Number(process.env.BEAT_MS || 5000);
const count = Number(countArg);
const names = Array.from({ length: count }, (_, i) => `d${String(i).padStart(4, '0')}`);
const interval = beatMs / 1000;
let seq = 0;
await Promise.all(names.map((n) => writeHeartbeat(dir, n, { interval, seq })));
// One slice of the fleet every 250 ms.
const slices = Math.max(1, Math.round(beatMs / 250));
let slice = 0;
setInterval(() => {
  seq++;
  const mine = names.filter((_, i) => i % slices === slice);
  slice = (slice + 1) % slices;
  for (const n of mine) writeHeartbeat(dir, n, { interval, seq }).catch(() => {});
}, beatMs / slices);
