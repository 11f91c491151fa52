// The dashboard page in headless Chromium, fed by the real monitor (engine and
// anomaly rules) watching real child processes: the page lists the daemons, and a daemon killed
// during the test turns down on the page without a reload.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { resolveConfig } from '../../src/config/schema.js';
import { Monitor } from '../../src/runtime/monitor.js';
import { Poller } from '../../src/runtime/poller.js';
import { attachApi, type AttachedApi } from '../../src/server/attach.js';
import { requireTool } from '../helpers/tools.js';
import { until } from '../helpers/wait.js';
import { BEATER } from '../helpers/proc.js';

const CHROMIUM = '/usr/bin/chromium';
const run = requireTool(CHROMIUM, 'chromium') ? describe : describe.skip;
const TOKEN = 'browser-test-token-0123456789';
const NAMES = ['relayCore', 'watchdog', 'executor'];

run('dashboard page in Chromium', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-dash-'));
  const hbDir = path.join(tmp, 'hb');
  const children = new Map<string, ChildProcess>();
  let poller: Poller;
  let monitor: Monitor;
  let api: AttachedApi;
  let server: AttachedApi['server'];
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(hbDir);
    for (const name of NAMES) {
      const child = spawn(process.execPath, [BEATER, hbDir, name, '200', 'steady', '1'], {
        stdio: 'ignore',
      });
      children.set(name, child);
    }
    const config = resolveConfig(
      { heartbeatDir: hbDir, pollInterval: 2, daemons: NAMES, defaults: { interval: 1 } },
      { baseDir: tmp, configFile: null },
    );
    monitor = await Monitor.open({ config, stateDir: path.join(tmp, 'state'), command: 'test' });
    poller = new Poller(monitor, { pollIntervalMs: 2000, livenessIntervalMs: 500, watchDir: null });
    api = await attachApi({
      config,
      poller,
      monitor,
      listen: '127.0.0.1:0',
      env: { GHOST_HB_TOKEN: TOKEN },
    });
    server = api.server;
    // The first poll sees every child's first beat.
    await until(
      () => NAMES.every((n) => existsSync(path.join(hbDir, `${n}.json`))),
      'every daemon to beat',
    );
    poller.start();
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await poller?.stop();
    await api?.close();
    await monitor?.close();
    for (const c of children.values()) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  const statusOf = (name: string) =>
    page.locator(`tr[data-daemon="${name}"]`).getAttribute('data-status');

  it('shows every daemon, up, once signed in with the token', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${server.url}/?token=${TOKEN}`);
    expect(page.url()).toBe(`${server.url}/`); // the token is gone from the address bar
    await page.waitForSelector('#conn[data-state="live"]');
    for (const name of NAMES) {
      await page.waitForSelector(`tr[data-daemon="${name}"][data-status="up"]`, {
        timeout: 10_000,
      });
    }
    const row = await page.locator('tr[data-daemon="relayCore"]').innerText();
    expect(row).toMatch(/up/); // readable without colour: a glyph and a word
    expect(row).toContain(String(children.get('relayCore')!.pid));
    expect(await page.locator('#summary').innerText()).toBe('3 up, 0 late, 0 down, 0 unknown');
    expect(errors).toEqual([]);
  }, 20_000);

  it('turns a killed daemon down without a reload', async () => {
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const victim = children.get('executor')!;
    victim.kill('SIGKILL');
    await page.waitForSelector('tr[data-daemon="executor"][data-status="down"]', {
      timeout: 20_000,
    });
    expect(await page.locator('tr[data-daemon="executor"] td.reason').innerText()).toMatch(/crash/);
    expect(await statusOf('relayCore')).toBe('up');
    // Same document: no reload happened.
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(
      42,
    );
    // The anomaly rules' event arrives through the stream too.
    await page.waitForSelector('#events li[data-severity="error"]', { timeout: 5000 });
    const line = await page.locator('#events li').first().innerText();
    // The daemon is named once, not as "executor: executor is down".
    expect(line.split('executor')).toHaveLength(2);
  }, 40_000);

  it.each([
    [390, 844],
    [1280, 800],
  ])('fits a %ix%i window without sideways scrolling of the page', async (width, height) => {
    await page.setViewportSize({ width, height });
    await page.waitForSelector('tr[data-daemon="relayCore"]');
    // A string, evaluated in the page: the test's own types have no DOM.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
