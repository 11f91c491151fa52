// The compact layout (below 64x16) keeps saying where its data comes from: a
// fleet's host count (and how many are not connected) or an attached
// screen's label, on the status line after the counts.
import { describe, expect, it } from '@jest/globals';
import React from 'react';
import { render } from 'ink-testing-library';
import { MonitorScreen } from '../../src/ui/components/MonitorScreen.js';
import { compactOrigin, type HostBadge } from '../../src/ui/model/fleet.js';
import { EMPTY_HISTORY, recordPoll } from '../../src/ui/model/history.js';
import { deriveScreen } from '../../src/ui/model/screen.js';
import { initialViewState } from '../../src/ui/model/view.js';
import { daemon, fleet, NOW, snapshot } from '../helpers/uiFixtures.js';

const badge = (name: string, tone: HostBadge['tone']): HostBadge => ({
  name,
  counts: '2✔',
  connection: tone === 'green' ? 'connected' : 'unreachable',
  tone,
});

function statusLine(
  width: number,
  height: number,
  origin: string | null,
  hosts: HostBadge[] | null,
): string {
  const daemons = hosts
    ? fleet().map((d, i) => daemon(`h${i % 3}/${d.name}`, { host: `h${i % 3}` }))
    : fleet();
  const snap = snapshot(daemons);
  const data = { snapshot: snap, events: [], history: recordPoll(EMPTY_HISTORY, snap) };
  const model = deriveScreen(data, initialViewState(), width, height);
  expect(model.screen.compact).toBe(true);
  const { lastFrame, unmount } = render(
    <MonitorScreen
      data={data}
      model={model}
      width={width}
      height={height}
      color={false}
      intervalSec={5}
      lastPollAt={NOW}
      lastPollMs={3}
      stale={null}
      offsetWarnMs={50}
      origin={origin}
      hosts={hosts}
    />,
  );
  const line = lastFrame()!.split('\n')[0]!;
  unmount();
  return line;
}

describe('the compact status line names the source', () => {
  it.each([
    { origin: null, hosts: null, text: null },
    { origin: 'attached to agent pid 42', hosts: null, text: 'attached to agent pid 42' },
    { origin: null, hosts: [badge('a', 'green')], text: '1 host' },
    {
      origin: 'prometheus http://prom:9090',
      hosts: [badge('a', 'green'), badge('b', 'red'), badge('c', 'yellow')],
      text: '3 hosts, 2 not connected',
    },
  ])('$text', ({ origin, hosts, text }) => {
    expect(compactOrigin(origin, hosts)).toBe(text);
  });

  it('shows a fleet at 60x15, after the counts and before the poll time', () => {
    const line = statusLine(60, 15, null, [
      badge('h0', 'green'),
      badge('h1', 'green'),
      badge('h2', 'red'),
    ]);
    expect(line).toMatch(/^✔\s*\d.* {2}3 hosts, 1 not connected {2}polled \d\d:\d\d:\d\d/);
  });

  it('shows an attached screen at 60x15, and nothing more for a screen of its own', () => {
    expect(statusLine(60, 15, 'attached to agent pid 42', null)).toMatch(
      / {2}attached to agent pid 42 {2}polled/,
    );
    expect(statusLine(60, 15, null, null)).toMatch(/\d {2}polled \d\d:\d\d:\d\d {2}\? help$/);
  });
});
