// Every rule ghost-hb can raise must be in KNOWN_EVENT_KINDS, which /metrics
// exports at 0 from the start: a rule missing there appears at 1 on its first
// event, and rate()/increase() never count that event. The rules are string
// literals spread over the anomaly rules, the monitor and the API wiring, so
// this reads the source the way a reviewer would and fails when one is added
// without its series.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { KNOWN_EVENT_KINDS } from '../../src/server/metrics.js';
import { DROP_RULE } from '../../src/notify/notifier.js';

/** Events of the fleet screen: it merges other hosts and serves no /metrics. */
const SCREEN_ONLY = new Set(['host-reachable', 'host-unreachable']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

function raisedRules(): Map<string, string> {
  const rules = new Map<string, string>();
  for (const file of sourceFiles(path.resolve('src'))) {
    if (file.endsWith(path.join('server', 'metrics.ts'))) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\brule: '([a-z][a-z-]*)'/g)) rules.set(m[1]!, file);
  }
  rules.set(DROP_RULE, 'src/notify/notifier.ts');
  return rules;
}

describe('KNOWN_EVENT_KINDS', () => {
  const known = new Set(KNOWN_EVENT_KINDS.map(([, rule]) => rule));

  it('holds every rule the source raises', () => {
    const raised = raisedRules();
    expect(raised.size).toBeGreaterThan(20);
    const missing = [...raised]
      .filter(([rule]) => !known.has(rule) && !SCREEN_ONLY.has(rule))
      .map(([rule, file]) => `${rule} (${path.relative(process.cwd(), file)})`);
    expect(missing).toEqual([]);
  });

  it('names each (severity, rule) pair once', () => {
    const pairs = KNOWN_EVENT_KINDS.map(([s, r]) => `${s}/${r}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });
});
