// Daemon names: they become file names (NAME.json), URL path segments
// (/ping/NAME) and metric label values, so they are kept to a safe alphabet.
// Kept apart from the config schema so that the light entry points (`beat`,
// `run`, the ping routes) can validate names without loading zod.

/** Letters, digits, ".", "_" or "-", starting with a letter or digit, at most 128. */
export const DAEMON_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const DAEMON_NAME_RULE =
  'use letters, digits, ".", "_" or "-", starting with a letter or digit (at most 128)';

export function isDaemonName(name: string): boolean {
  return DAEMON_NAME_PATTERN.test(name);
}
