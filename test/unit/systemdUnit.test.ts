// `systemctl show` output in its documented shape (KEY=VALUE lines, one block
// per unit, blank lines between) parsed, and the verdicts a unit's state gives.
import { describe, expect, it } from '@jest/globals';
import {
  judgeUnit,
  parseSystemctlShow,
  parseSystemdTimestamp,
  type UnitState,
} from '../../src/core/systemdUnit.js';

const NGINX_RUNNING = `Id=nginx.service
LoadState=loaded
ActiveState=active
SubState=running
MainPID=812
NRestarts=0
Result=success
ExecMainStatus=0
WatchdogTimestamp=n/a
`;
const APP_WATCHDOG = `Id=app.service
LoadState=loaded
ActiveState=activating
SubState=auto-restart
MainPID=0
NRestarts=3
Result=watchdog
ExecMainStatus=6
WatchdogTimestamp=Wed 2026-12-02 03:12:00 UTC
`;
const MISSING = `Id=nosuch.service
LoadState=not-found
ActiveState=inactive
SubState=dead
MainPID=0
NRestarts=0
Result=success
ExecMainStatus=0
`;

describe('parseSystemctlShow', () => {
  it('reads one block per unit, in the order asked', () => {
    const r = parseSystemctlShow(`${NGINX_RUNNING}\n${APP_WATCHDOG}\n${MISSING}`, [
      'nginx.service',
      'app',
      'nosuch.service',
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.units.map((u) => [u.unit, u.id, u.activeState, u.mainPid, u.restarts])).toEqual([
      ['nginx.service', 'nginx.service', 'active', 812, 0],
      ['app', 'app.service', 'activating', null, 3],
      ['nosuch.service', 'nosuch.service', 'inactive', null, 0],
    ]);
    expect(r.units[1]!.watchdogAt).toBe('2026-12-02T03:12:00.000Z');
    expect(r.units[0]!.watchdogAt).toBeNull();
  });

  it('takes CRLF line ends and properties in any order', () => {
    const text = 'ActiveState=failed\r\nId=x.service\r\nResult=core-dump\r\nExecMainStatus=11\r\n';
    const r = parseSystemctlShow(text, ['x.service']);
    expect(r.ok && r.units[0]).toMatchObject({ activeState: 'failed', result: 'core-dump' });
  });

  it.each([
    ['nothing', '', 'gave 0 blocks for 1 unit'],
    ['fewer blocks than units', NGINX_RUNNING, 'gave 1 block for 2 units'],
    ['garbage', 'Segmentation fault\n\u001b[31mboom', 'unexpected line'],
    ['KEY=VALUE lines without a state', 'Foo=bar\nBaz=1\n', 'no ActiveState'],
  ])('%s is an error for the source, not a unit that is down', (_, text, error) => {
    const units = text === NGINX_RUNNING ? ['a', 'b'] : ['a'];
    const r = parseSystemctlShow(text, units);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(error);
  });
});

describe('parseSystemdTimestamp', () => {
  it.each([
    ['@1764645120', '2025-12-02T03:12:00.000Z'],
    ['Wed 2026-12-02 03:12:00 UTC', '2026-12-02T03:12:00.000Z'],
    ['Wed 2026-12-02 03:12:00.123456 UTC', '2026-12-02T03:12:00.123Z'],
    ['n/a', null],
    ['', null],
    ['Wed 2026-12-02 03:12:00 CET', null],
  ])('%j', (text, iso) => {
    expect(parseSystemdTimestamp(text)).toBe(iso);
  });
});

describe('judgeUnit', () => {
  const unit = (over: Partial<UnitState>): UnitState => ({
    unit: 'app.service',
    id: 'app.service',
    loadState: 'loaded',
    activeState: 'active',
    subState: 'running',
    mainPid: 100,
    restarts: 0,
    result: 'success',
    execMainStatus: 0,
    watchdogAt: null,
    ...over,
  });
  it.each<[string, Partial<UnitState>, string, string | null]>([
    ['active running', {}, 'up', null],
    ['active exited (oneshot)', { subState: 'exited', mainPid: null }, 'up', null],
    ['reloading', { activeState: 'reloading', subState: 'reload' }, 'late', 'reloading (reload)'],
    ['starting', { activeState: 'activating', subState: 'start' }, 'late', 'activating (start)'],
    [
      'restarting after a watchdog timeout',
      {
        activeState: 'activating',
        subState: 'auto-restart',
        result: 'watchdog',
        execMainStatus: 6,
      },
      'down',
      'watchdog timeout',
    ],
    [
      'failed with a core dump',
      { activeState: 'failed', subState: 'failed', result: 'core-dump', execMainStatus: 11 },
      'down',
      'failed: core dumped (SIGSEGV)',
    ],
    [
      'failed: exit code',
      { activeState: 'failed', subState: 'failed', result: 'exit-code', execMainStatus: 3 },
      'down',
      'failed: exited (code 3)',
    ],
    [
      'failed: watchdog',
      { activeState: 'failed', subState: 'failed', result: 'watchdog' },
      'down',
      'failed: watchdog timeout',
    ],
    [
      'killed by a signal',
      { activeState: 'inactive', subState: 'dead', result: 'signal', execMainStatus: 9 },
      'down',
      'inactive: killed (SIGKILL)',
    ],
    [
      'stopped',
      { activeState: 'inactive', subState: 'dead', mainPid: null },
      'down',
      'inactive (dead)',
    ],
    ['not found', { loadState: 'not-found', activeState: 'inactive' }, 'unknown', 'unit not found'],
    ['masked', { loadState: 'masked', activeState: 'inactive' }, 'down', 'unit masked'],
  ])('%s', (_, over, status, reason) => {
    expect(judgeUnit(unit(over))).toEqual({ status, reason });
  });
});
