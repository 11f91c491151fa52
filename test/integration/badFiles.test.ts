// Every kind of bad file the heartbeat directory can hold, on a real directory:
// each is reported on its daemon with a reason, none is thrown, and ignored
// names never become daemons.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FsHeartbeatCollector } from '../../src/collectors/heartbeatDir.js';
import { resolveConfig } from '../../src/config/schema.js';
import { Engine } from '../../src/runtime/engine.js';
import { systemInstant as nowInstant } from '../../src/runtime/poller.js';
import type { Snapshot } from '../../src/core/types.js';
import { tempDir } from '../helpers/proc.js';

const SECRET = 'outside-secret-must-not-be-read';
let dir: string;
let outside: string;
let snapshot: Snapshot;
// mkfifo is part of coreutils; where it is missing the FIFO case is skipped, visibly.
const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
let fifoMade = false;

const ts = () => new Date().toISOString();
const write = (name: string, content: string | Buffer) =>
  fs.writeFileSync(path.join(dir, name), content);

beforeAll(async () => {
  dir = tempDir();
  outside = tempDir('ghost-hb-outside-');
  fs.writeFileSync(path.join(outside, 'target.json'), JSON.stringify({ ts: ts(), note: SECRET }));

  write('good.json', JSON.stringify({ ts: ts(), pid: process.pid }));
  write('malformed.json', '{ this is not json }');
  write('truncated.json', `{"ts": "${ts()}", "pid": ${process.pid}, "mess`);
  write('empty.json', '');
  write('wrongtype.json', JSON.stringify({ ts: ts(), interval: 'five' }));
  write('future.json', JSON.stringify({ ts: Date.now() + 3_600_000 }));
  write('absurd.json', JSON.stringify({ ts: 42 }));
  write('negpid.json', JSON.stringify({ ts: ts(), pid: -5 }));
  write('textpid.json', JSON.stringify({ ts: ts(), pid: 'twelve' }));
  write('negative.pid', '-12\n');
  write('huge.json', JSON.stringify({ ts: ts(), pad: 'x'.repeat(200 * 1024) }));
  write('binary.json', Buffer.from([0x7b, 0x00, 0x01, 0x02, 0xff, 0x7d]));
  write('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
  write('ctl\x1b[31mred.json', JSON.stringify({ ts: ts() }));
  fs.symlinkSync(path.join(outside, 'target.json'), path.join(dir, 'link.json'));
  fs.mkdirSync(path.join(dir, 'dir.json'));
  fifoMade = spawnSync('mkfifo', [path.join(dir, 'pipe.json')]).status === 0;

  // Ignored: not daemons at all.
  write('.hidden.json', JSON.stringify({ ts: ts() }));
  write('good.json.tmp', '{');
  write('good.json.12345', '{');
  write('.good.json.x', '{');
  write('good.json~', '{');
  write('good.json.swp', '{');
  write('good.json.bak', '{');
  write('notes.txt', 'hello');
  fs.mkdirSync(path.join(dir, 'subdir'));

  const config = resolveConfig(
    { heartbeatDir: dir, daemons: ['good'] },
    { baseDir: dir, configFile: null },
  );
  snapshot = await new Engine(config).poll(nowInstant());
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const daemon = (name: string) => {
  const d = snapshot.daemons.find((x) => x.name === name);
  if (!d) throw new Error(`no daemon ${name} in ${snapshot.daemons.map((x) => x.name).join(', ')}`);
  return d;
};

describe('bad files in the heartbeat directory', () => {
  it('keeps the good daemon up', () => {
    expect(daemon('good')).toMatchObject({ status: 'up', reason: null });
  });

  it.each([
    ['malformed', /malformed JSON/],
    ['truncated', /truncated JSON/],
    ['empty', /empty/],
    ['wrongtype', /field interval/],
    ['future', /in the future/],
    ['absurd', /absurd/],
    ['negpid', /pid -5 is negative/],
    ['textpid', /pid is not a number/],
    ['negative', /pidfile pid -12 is negative/],
    ['huge', /too large: \d+ bytes \(limit 65536\)/],
    ['binary', /binary content \(NUL bytes\)/],
    ['latin1', /binary content \(not UTF-8\)/],
    ['link', /symlink \(not followed\)/],
    ['dir', /is a directory/],
    ['ctl\\x1b[31mred', /control characters: "ctl\\x1b\[31mred"/],
  ])('%s: unknown, with the fault as reason', (name, reason) => {
    const d = daemon(name);
    expect(d.status).toBe('unknown');
    expect(d.reason).toMatch(reason);
    expect(d.problems.join('\n')).toMatch(reason);
    expect(d.declared).toBe(false);
  });

  (hasMkfifo ? it : it.skip)('a FIFO is not a regular file (and reading it does not hang)', () => {
    expect(fifoMade).toBe(true);
    expect(daemon('pipe').reason).toMatch(/not a regular file/);
  });

  it('never reads through a symlink', async () => {
    expect(JSON.stringify(snapshot)).not.toContain(SECRET);
    const scan = await new FsHeartbeatCollector().scan(dir);
    const link = scan.files.find((f) => f.name === 'link')!;
    expect(link.content).toBeNull();
    expect(link.fault).toBe('is a symlink (not followed)');
  });

  it('reads at most 64 KiB of a huge file', async () => {
    const scan = await new FsHeartbeatCollector().scan(dir);
    const huge = scan.files.find((f) => f.name === 'huge')!;
    expect(huge.truncated).toBe(true);
    expect(huge.content).toBeNull();
  });

  it('ignores dotfiles, temp files, editor backups and subdirectories', () => {
    const names = snapshot.daemons.map((d) => d.name).sort();
    expect(names).toEqual(
      [
        'absurd',
        'binary',
        'ctl\\x1b[31mred',
        'dir',
        'empty',
        'future',
        'good',
        'huge',
        'latin1',
        'link',
        'malformed',
        'negative',
        'negpid',
        ...(fifoMade ? ['pipe'] : []),
        'textpid',
        'truncated',
        'wrongtype',
      ].sort(),
    );
  });

  it('never puts a raw control character in the snapshot', () => {
    // eslint-disable-next-line no-control-regex
    expect(JSON.stringify(snapshot)).not.toMatch(/\\u001b|\x1b/);
  });

  it('reports a missing directory, then picks it up once it exists', async () => {
    const missing = path.join(os.tmpdir(), `ghost-hb-missing-${process.pid}-${Date.now()}`);
    const config = resolveConfig(
      { heartbeatDir: missing, daemons: ['a'] },
      { baseDir: '/', configFile: null },
    );
    const engine = new Engine(config);
    const first = await engine.poll(nowInstant());
    expect(first.heartbeatDirError).toBe('does not exist');
    expect(first.sources.heartbeats).toBe(false);
    fs.mkdirSync(missing);
    try {
      fs.writeFileSync(path.join(missing, 'a.hb'), '');
      const second = await engine.poll(nowInstant());
      expect(second.heartbeatDirError).toBeNull();
      expect(second.daemons[0]).toMatchObject({ name: 'a', status: 'up' });
    } finally {
      fs.rmSync(missing, { recursive: true, force: true });
    }
  });

  it('does not re-read unchanged files, and re-reads changed ones', async () => {
    const collector = new FsHeartbeatCollector();
    const first = await collector.scan(dir);
    const second = await collector.scan(dir);
    const good1 = first.files.find((f) => f.name === 'good')!;
    const good2 = second.files.find((f) => f.name === 'good')!;
    expect(good2).toBe(good1); // the cached observation object itself
    const later = new Date(Date.now() + 1000);
    write('good.json', JSON.stringify({ ts: ts(), pid: process.pid, seq: 2 }));
    fs.utimesSync(path.join(dir, 'good.json'), later, later);
    const third = (await collector.scan(dir)).files.find((f) => f.name === 'good')!;
    expect(third).not.toBe(good1);
    expect(third.content).toContain('"seq":2');
  });
});
