// The settings the anomaly rules read: plain numbers, produced by config/
// (anomalySettings in config/settings.ts) from `.heartbeatrc`. Core imports
// nothing from the stages after it, so this is declared here, not derived
// from the config schema.

/** Thresholds of the rules (`alerts` in `.heartbeatrc`; units in the key names or the README). */
export interface AlertSettings {
  offsetWarnMs: number;
  offsetErrorMs: number;
  restartCount: number;
  restartWindowMin: number;
  flapWindow: number;
  flapHighPct: number;
  flapLowPct: number;
  jitterSigma: number;
  cpuPct: number;
  cpuPolls: number;
  memRssBytes: number | null;
  memGrowthPolls: number;
  memGrowthMinPct: number;
  memGrowthMinBytes: number;
  memGrowthWarmupSec: number;
  minUptimeSec: number;
  coalesceMin: number;
}

export interface AnomalyConfig {
  /** Seconds between polls: the cadence flap checks are counted on. */
  pollInterval: number;
  alerts: AlertSettings;
  clock: {
    /** Heartbeat ts vs mtime/now skew (seconds) beyond which a daemon is skewed. */
    skewThreshold: number;
  };
}

/**
 * What produced the snapshot: a full poll (fresh process samples) or a
 * liveness re-check between polls (pids re-checked, CPU and RSS carried over
 * from the last poll, so they are not new samples).
 */
export type EvaluationKind = 'poll' | 'liveness';

/** Beat gaps kept per daemon for the jitter statistics. */
export const JITTER_SAMPLES = 30;
/** Gaps needed before the jitter rule judges anything. */
export const JITTER_MIN_SAMPLES = 5;
/**
 * A metronome-regular daemon has a deviation near zero, which would make any
 * millisecond of lateness "4 deviations"; the deviation is floored at this
 * share of the mean gap.
 */
export const JITTER_MIN_DEVIATION_SHARE = 0.05;
/** Two boot times (wall - uptime) closer than this are the same boot. */
export const SAME_BOOT_SLACK_MS = 60_000;
