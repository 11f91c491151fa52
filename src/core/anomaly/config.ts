// The slice of the configuration the anomaly rules read.
import type { Config } from '../../config/schema.js';

/** `pollInterval` sets the cadence flap checks are counted on. */
export type AnomalyConfig = Pick<Config, 'alerts' | 'clock' | 'pollInterval'>;

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
