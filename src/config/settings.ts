// What each stage reads from the configuration, as the plain settings it
// declares (core cannot import the config schema: it comes first).
import type { AnomalyConfig } from '../core/anomaly/config.js';
import type { Config } from './schema.js';

/** The anomaly rules' settings from a loaded config. */
export function anomalySettings(config: Config): AnomalyConfig {
  return {
    pollInterval: config.pollInterval,
    alerts: config.alerts,
    clock: { skewThreshold: config.clock.skewThreshold },
  };
}
