// One demo daemon: a real process that beats through the library
// (writeHeartbeat) following the demo script. It exits when the fleet goes
// away (the IPC channel closes), so no daemon outlives the monitor, even
// after a `kill -9` of it.
import fs from 'node:fs';
import path from 'node:path';
import { writeHeartbeat } from '../beat.js';
import { CRASH_EXIT_CODE, DEMO_INTERVAL_SEC, demoAction } from './script.js';

const [dir, name, startedAtText] = process.argv.slice(2);
if (!dir || !name || !startedAtText) {
  process.stderr.write('usage: child.js DIR NAME FLEET_START_MS\n');
  process.exit(2);
}
const fleetStart = Number(startedAtText);
const bornAt = Date.now();
let tick = 0;

// The fleet is the other end of the IPC channel. Node emits 'disconnect' once,
// when the channel closes, and only to listeners present then: if the monitor
// died (kill -9) while this process was still loading its modules, the event
// has already gone by unheard. So listen, then also check the channel is still
// open; without either, this daemon would beat into a dead fleet forever.
// (Run without any channel, e.g. by hand, it has no fleet to follow: it exits too.)
const leave = () => process.exit(0);
process.on('disconnect', leave);
process.on('SIGTERM', leave);
if (!process.connected) leave();

async function step(): Promise<void> {
  const now = Date.now();
  const action = demoAction(name!, now - fleetStart, tick++, now - bornAt);
  switch (action.kind) {
    case 'beat':
      await writeHeartbeat(dir!, name!, {
        status: action.status,
        message: action.message,
        interval: DEMO_INTERVAL_SEC,
        seq: tick,
        meta: { demo: true, tick },
      });
      break;
    case 'malformed':
      fs.writeFileSync(
        path.join(dir!, `${name}.json`),
        `{"name":"${name}","pid":${process.pid},"ts":"`,
      );
      break;
    case 'crash':
      process.exit(CRASH_EXIT_CODE);
      break;
    case 'skip':
      break;
  }
}

void step();
setInterval(() => void step().catch(() => {}), DEMO_INTERVAL_SEC * 1000);
