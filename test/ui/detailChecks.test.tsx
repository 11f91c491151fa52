// The detail view's lines for what ghost-hb checks itself: the probe's last
// result and latency, the systemd unit, the schedule, the last run.
import { describe, expect, it } from '@jest/globals';
import React from 'react';
import { render } from 'ink-testing-library';
import { checkLines, DetailView, detailLineCount } from '../../src/ui/components/DetailView.js';
import { daemon } from '../helpers/uiFixtures.js';

const checked = daemon('api', {
  source: 'probe',
  probe: {
    target: 'http://127.0.0.1:8080/health',
    ok: false,
    latencyMs: 2000.4,
    detail: 'timed out after 2000 ms',
    at: '2026-12-02T03:00:00Z',
    timeoutMs: 2000,
    slowMs: 1000,
  },
  systemd: {
    unit: 'api.service',
    id: 'api.service',
    loadState: 'loaded',
    activeState: 'failed',
    subState: 'failed',
    mainPid: null,
    restarts: 3,
    result: 'watchdog',
    execMainStatus: 6,
    watchdogAt: null,
  },
  schedule: {
    expression: '0 3 * * *',
    timezone: 'UTC',
    nextRunAt: '2026-12-03T03:00:00Z',
    lastDueAt: '2026-12-02T03:00:00Z',
    running: true,
    durationMs: 125_000,
    graceSec: 300,
    maxDurationSec: 3600,
  },
  lastRun: {
    startedAt: '2026-12-02T03:00:00Z',
    endedAt: '2026-12-02T03:02:05Z',
    exitCode: null,
    signal: 'SIGSEGV',
    durationMs: 125_000,
    ok: false,
  },
});

describe('DetailView checks', () => {
  it('has a line per check, only for the checks a daemon has', () => {
    expect(checkLines(checked).map(([label]) => label)).toEqual([
      'probe',
      'systemd',
      'schedule',
      'last run',
    ]);
    expect(checkLines(daemon('plain'))).toEqual([]);
    expect(detailLineCount(0, checked)).toBe(detailLineCount(0) + 4);
  });

  it('shows the probe result and latency, the unit, the schedule and the run', () => {
    const f =
      render(
        <DetailView
          daemon={checked}
          name="api"
          history={undefined}
          events={[]}
          height={40}
          width={200}
          color={false}
        />,
      ).lastFrame() ?? '';
    expect(f).toContain('http://127.0.0.1:8080/health  FAILED timed out after 2000 ms  2000 ms');
    expect(f).toContain('api.service failed (failed)');
    expect(f).toContain('restarts 3  result watchdog');
    expect(f).toMatch(/0 3 \* \* \* \(UTC\)\s+next/);
    expect(f).toContain('running 2m 5s');
    expect(f).toContain('killed (SIGSEGV)');
    expect(f).toContain('took 2m 5s');
  });
});
