// A heartbeat dated without a UTC offset (Python's datetime.now().isoformat())
// is refused the same way whatever the monitor's time zone, with the fix in
// the reason and in problems; never read silently as local time.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/proc.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it.each([['UTC'], ['Asia/Tokyo']])('under TZ=%s the file is flagged, not aged', (tz) => {
  // What Python writes on a host in any zone: a wall-clock reading with no zone.
  const local = new Date().toISOString().slice(0, 19).replace('T', ' ');
  fs.writeFileSync(path.join(dir, 'pyjob.json'), JSON.stringify({ ts: local, status: 'ok' }));
  const cfg = path.join(dir, '..', `${path.basename(dir)}.json`);
  fs.writeFileSync(cfg, JSON.stringify({ heartbeatDir: dir, daemons: ['pyjob'] }));
  try {
    const r = runCli(['status', '--json', '--config', cfg], { env: { TZ: tz } });
    const d = JSON.parse(r.stdout).daemons.find((x: { name: string }) => x.name === 'pyjob');
    expect(d.status).toBe('unknown');
    expect(d.reason).toContain('has no UTC offset');
    expect(d.ageMs).toBeNull();
    expect(d.problems.join('\n')).toContain('datetime.now(timezone.utc).isoformat()');
  } finally {
    fs.rmSync(cfg, { force: true });
  }
});
