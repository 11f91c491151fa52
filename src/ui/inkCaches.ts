// Ink 6.8 memoises every text it measures in a module-level Map that is never
// pruned (ink/build/measure-text.js). Each poll of the monitor draws new texts
// (ages, times, CPU), so over the weeks a monitor stays open that Map would
// grow by tens of megabytes a day. Ink 8 bounds it with an LRU of 4,096
// entries, but Ink 7 and later need Node 22, so ghost-hb bounds it here.
//
// The cache is created by `new Map()` when the module is evaluated, so for the
// moment Ink is first imported the global Map constructor is wrapped: a Map
// constructed from measure-text.js gets a `set` that evicts its oldest entry
// beyond the limit. Every other Map is an ordinary Map, and the global is
// restored as soon as the import settles.
//
// Ink's wrap-text.js has a similar unbounded cache, keyed by text and width.
// It is only reached for a text wider than its box; the monitor fits every
// line to the terminal width itself (ui/model/cells.ts), so it stays small.
import type * as Ink from 'ink';

type InkModule = typeof Ink;

/** Same bound as Ink 8's measure-text LRU. */
export const INK_MEASURE_CACHE_MAX = 4096;

const MEASURE_MODULE = /[\\/]ink[\\/]build[\\/]measure-text\.js/;

const bounded: Map<unknown, unknown>[] = [];

/** The Ink caches bounded so far (for tests and diagnostics). */
export function boundedInkCaches(): readonly Map<unknown, unknown>[] {
  return bounded;
}

function bound<K, V>(map: Map<K, V>, max: number): void {
  const set = Map.prototype.set;
  // An own property, so only this instance pays for the size check.
  Object.defineProperty(map, 'set', {
    value(key: K, value: V) {
      if (!map.has(key) && map.size >= max) {
        // Maps iterate in insertion order: drop the oldest entry.
        map.delete(map.keys().next().value as K);
      }
      return set.call(map, key, value);
    },
  });
  bounded.push(map as Map<unknown, unknown>);
}

/**
 * Import Ink with its text-measurement cache bounded to `max` entries.
 * Must run before anything else imports Ink (a module is evaluated once).
 */
export function importInkWithBoundedCaches(max = INK_MEASURE_CACHE_MAX): Promise<InkModule> {
  // Once per process: callers may race (the command list loads every command).
  inkLoad ??= loadInk(max);
  return inkLoad;
}

let inkLoad: Promise<InkModule> | null = null;

async function loadInk(max: number): Promise<InkModule> {
  const OriginalMap = globalThis.Map;
  // A class declared `extends Map` during the import keeps the proxy as its
  // parent; after the import the proxy only passes construction through.
  let importing = true;
  const proxy: MapConstructor = new Proxy(OriginalMap, {
    construct(target, args, newTarget): object {
      const map: Map<unknown, unknown> = Reflect.construct(
        target,
        args,
        newTarget === proxy ? target : newTarget,
      );
      if (importing && MEASURE_MODULE.test(new Error().stack ?? '')) bound(map, max);
      return map;
    },
  });
  globalThis.Map = proxy;
  try {
    return await import('ink');
  } finally {
    importing = false;
    globalThis.Map = OriginalMap;
  }
}
