// Library entry: `import { collectSnapshot } from 'ghost-hb'`.
export * from './core/types.js';
export { loadConfig, type LoadConfigOptions } from './config/load.js';
export {
  resolveConfig,
  defaultConfig,
  ConfigError,
  DEFAULT_DAEMONS,
  type Config,
} from './config/schema.js';
export { VERSION } from './version.js';
