// Host-wide rules: clock offset, sync and jumps; reboots; the heartbeat
// directory; failing data sources.
import { describeOffset, formatDuration, formatSeconds } from '../format.js';
import type { Snapshot } from '../types.js';
import { SAME_BOOT_SLACK_MS, type AnomalyConfig } from './config.js';
import type { Evaluation } from './state.js';

const CLOCK = 'clock';

export function evaluateClock(ev: Evaluation, snapshot: Snapshot, cfg: AnomalyConfig): void {
  const clock = snapshot.clock;
  const { offsetWarnMs, offsetErrorMs } = cfg.alerts;

  if (clock.offsetMs !== null) {
    const abs = Math.abs(clock.offsetMs);
    const data = {
      offsetMs: clock.offsetMs,
      errorBoundMs: clock.errorBoundMs,
      source: clock.source,
    };
    if (abs > offsetErrorMs || abs > offsetWarnMs) {
      const severity = abs > offsetErrorMs ? 'error' : 'warn';
      ev.raise({
        rule: 'clock-offset',
        severity,
        subject: CLOCK,
        message: `clock is ${describeOffset(clock.offsetMs)} (offset ${clock.offsetMs.toFixed(1)} ms, threshold ${severity === 'error' ? offsetErrorMs : offsetWarnMs} ms, from ${clock.source ?? 'unknown source'})`,
        data,
      });
    } else {
      ev.clear('clock-offset', CLOCK);
    }
  }

  if (clock.synced === false) {
    ev.raise({
      rule: 'clock-unsynced',
      severity: 'error',
      subject: CLOCK,
      message: `clock is not synchronised${clock.source ? ` (${clock.source})` : ''}`,
      data: { source: clock.source },
    });
  } else if (clock.synced === true && ev.clear('clock-unsynced', CLOCK)) {
    ev.emit({
      rule: 'clock-unsynced',
      severity: 'info',
      message: `clock is synchronised again${clock.source ? ` (${clock.source})` : ''}`,
      data: { source: clock.source, cleared: true },
    });
  }

  if (clock.lastJumpAt !== null && clock.lastJumpAt !== ev.state.lastJumpAt) {
    ev.raise({
      rule: 'clock-jump',
      severity: 'warn',
      subject: CLOCK,
      message: `wall clock jumped ${clock.lastJumpMs === null ? 'by ?' : `${clock.lastJumpMs < 0 ? 'back' : 'forward'} by ${formatSeconds(Math.abs(clock.lastJumpMs))}`}; lateness is judged on monotonic time for one grace period`,
      data: { jumpMs: clock.lastJumpMs, jumpAt: clock.lastJumpAt },
      kind: 'edge',
      // A step back is news even right after a step forward: its own condition, not a repeat.
      condition:
        clock.lastJumpMs !== null && clock.lastJumpMs < 0 ? 'clock-jump-back' : 'clock-jump',
    });
  }
  ev.state.lastJumpAt = clock.lastJumpAt ?? ev.state.lastJumpAt;
}

export function evaluateHost(ev: Evaluation, snapshot: Snapshot, cfg: AnomalyConfig): void {
  const uptimeSec = snapshot.system.uptimeSec;
  if (uptimeSec !== null && uptimeSec < cfg.alerts.minUptimeSec) {
    const bootMs = ev.now.wallMs - uptimeSec * 1000;
    const known = ev.state.bootMs;
    if (known === null || Math.abs(bootMs - known) > SAME_BOOT_SLACK_MS) {
      ev.state.bootMs = bootMs;
      ev.emit({
        rule: 'reboot',
        severity: 'warn',
        message: `host rebooted ${formatDuration(uptimeSec)} ago (uptime below ${formatDuration(cfg.alerts.minUptimeSec)})`,
        data: { uptimeSec, bootAt: new Date(bootMs).toISOString() },
      });
    }
  }

  if (snapshot.heartbeatDirError !== null) {
    ev.raise({
      rule: 'heartbeat-dir',
      severity: 'error',
      subject: 'heartbeat-dir',
      message: `heartbeat directory ${snapshot.heartbeatDir}: ${snapshot.heartbeatDirError}`,
      data: { dir: snapshot.heartbeatDir, error: snapshot.heartbeatDirError },
    });
  } else if (ev.clear('heartbeat-dir', 'heartbeat-dir')) {
    ev.emit({
      rule: 'heartbeat-dir',
      severity: 'info',
      message: `heartbeat directory ${snapshot.heartbeatDir} is readable again`,
      data: { dir: snapshot.heartbeatDir, cleared: true },
    });
  }

  for (const [source, ok] of Object.entries(snapshot.sources)) {
    const subject = `source:${source}`;
    if (!ok) {
      ev.raise({
        rule: 'source-failing',
        severity: 'warn',
        subject,
        message: `data source ${source} is failing`,
        data: { source },
      });
    } else if (ev.clear('source-failing', subject)) {
      ev.emit({
        rule: 'source-failing',
        severity: 'info',
        message: `data source ${source} answers again`,
        data: { source, cleared: true },
      });
    }
  }
}
