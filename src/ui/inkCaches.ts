// Ink 6.8 memoises every text it measures in a module-level Map that is never
// pruned (ink/build/measure-text.js). Each poll of the monitor draws new texts
// (ages, times, CPU), so over the weeks a monitor stays open that Map would
// grow by tens of megabytes a day. Ink 8 bounds it with an LRU of 4,096
// entries, but Ink 7 and later need Node 22.
//
// So ghost-hb runs a patched Ink: patches/ink+6.8.0.patch bounds the cache at
// 4,096 entries (the oldest leaves first). The same patch makes frames cheap
// (output.js draws a row only when its writes changed, and joins a row whose
// texts do not overlap without building cells; render-node-to-output.js and
// sanitize-ansi.js measure and sanitize through bounded caches). patch-package applies it when the
// source tree is installed (`npm ci`, the `prepare` script), and refuses to
// when the installed Ink is not the version the patch was made for. The
// packed package bundles Ink as patched (`bundleDependencies`), so an install
// from the tarball, global or in a project, runs no install script and cannot
// end up sharing an unpatched, hoisted Ink.
//
// This module checks that the patch is in effect, so a copy that missed it
// (node_modules installed with --ignore-scripts) says so instead of growing.
//
// Ink's wrap-text.js has a similar unbounded cache, keyed by text and width.
// It is only reached for a text wider than its box; the monitor fits every
// line to the terminal width itself (ui/model/cells.ts), so it stays small.

/** What the patched measure-text.js exports besides its default. */
interface PatchedMeasureText {
  MEASURE_CACHE_MAX?: unknown;
  measureCache?: unknown;
}

/** Ink's text-measurement module, as loaded by Ink itself (same URL, so the same instance). */
async function measureTextModule(): Promise<PatchedMeasureText> {
  const url = new URL('./measure-text.js', import.meta.resolve('ink'));
  return (await import(url.href)) as PatchedMeasureText;
}

/** The bound on Ink's text-measurement cache, or null when the loaded Ink is not patched. */
export async function inkMeasureCacheBound(): Promise<number | null> {
  const m = await measureTextModule();
  return typeof m.MEASURE_CACHE_MAX === 'number' && m.measureCache instanceof Map
    ? m.MEASURE_CACHE_MAX
    : null;
}

/** The warning to print when the loaded Ink's cache is unbounded; null when it is bounded. */
export async function unboundedInkWarning(): Promise<string | null> {
  if ((await inkMeasureCacheBound()) !== null) return null;
  return (
    'ghost-hb: warning: the installed Ink is not patched (patches/ink+6.8.0.patch), so its ' +
    'text-measurement cache grows for as long as the screen runs; reinstall ghost-hb ' +
    '(install scripts enabled when installing from the source tree)\n'
  );
}
