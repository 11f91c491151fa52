// The route table and its one request handler: path patterns, methods, auth
// modes, and the same table served on a unix socket beside TCP.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AccessRecord } from '../../src/server/access.js';
import { requestAuth } from '../../src/server/auth.js';
import { send } from '../../src/server/respond.js';
import { createApiHandler, matchPath, type Route } from '../../src/server/routes.js';
import { createApiServer, DEFAULT_LIMITS, listenOn } from '../../src/server/server.js';

const TOKEN = 'route-token-0123456789abcdef';

describe('matchPath', () => {
  it.each([
    ['/api/status', '/api/status', {}],
    ['/api/status', '/api/status/', null],
    ['/ping/:name', '/ping/relayCore', { name: 'relayCore' }],
    ['/ping/:name', '/ping/a%20b', { name: 'a b' }],
    ['/ping/:name', '/ping/', null],
    ['/ping/:name', '/ping/a/b', null],
    ['/ping/:name/:signal', '/ping/x/fail', { name: 'x', signal: 'fail' }],
    ['/ping/:name', '/ping/%E0%A4%A', null],
  ])('%s against %s', (pattern, pathname, want) => {
    expect(matchPath(pattern, pathname)).toEqual(want);
  });
});

const routes: Route[] = [
  {
    path: '/ping/:name',
    methods: ['POST', 'GET'],
    auth: 'token',
    handle: ({ res, params, req }) =>
      send(res, 200, JSON.stringify({ name: params.name, method: req.method })),
  },
  { path: '/open', methods: ['GET'], auth: 'public', handle: ({ res }) => send(res, 200, '{}') },
  {
    path: '/page',
    methods: ['GET'],
    auth: 'token-or-query',
    handle: ({ res, auth }) => send(res, 200, JSON.stringify({ auth })),
  },
  {
    path: '/boom',
    methods: ['GET'],
    auth: 'public',
    handle: () => {
      throw new Error('handler bug');
    },
  },
];

function request(
  target: { socketPath: string } | { port: number },
  method: string,
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, host: '127.0.0.1', method, path: p, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('one route table on TCP and on a unix socket', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-routes-'));
  const socketPath = path.join(dir, 'api.sock');
  const audit: AccessRecord[] = [];
  const tcp = createApiServer(
    createApiHandler(routes, {
      access: requestAuth(TOKEN, '127.0.0.1'),
      audit: (r) => audit.push(r),
      maxUrlBytes: 2048,
    }),
    DEFAULT_LIMITS,
  );
  // The socket file's permissions guard it, so this listener has no token.
  const unix = createApiServer(
    createApiHandler(routes, { access: requestAuth(null, 'localhost'), maxUrlBytes: 2048 }),
    DEFAULT_LIMITS,
  );
  let port = 0;

  beforeAll(async () => {
    await listenOn(tcp, { host: '127.0.0.1', port: 0 }, '127.0.0.1:0');
    await listenOn(unix, { path: socketPath }, socketPath);
    port = (tcp.address() as { port: number }).port;
  });
  afterAll(async () => {
    tcp.closeAllConnections();
    unix.closeAllConnections();
    await Promise.all([new Promise((r) => tcp.close(r)), new Promise((r) => unix.close(r))]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies each route auth mode on the TCP listener', async () => {
    const bearer = { Authorization: `Bearer ${TOKEN}` };
    expect((await request({ port }, 'POST', '/ping/svc')).status).toBe(401);
    const ok = await request({ port }, 'POST', '/ping/svc', bearer);
    expect([ok.status, JSON.parse(ok.body)]).toEqual([200, { name: 'svc', method: 'POST' }]);
    expect((await request({ port }, 'GET', '/open')).status).toBe(200);
    expect((await request({ port }, 'GET', `/ping/svc?token=${TOKEN}`)).status).toBe(401);
    const viaQuery = await request({ port }, 'GET', `/page?token=${TOKEN}`);
    expect(JSON.parse(viaQuery.body)).toEqual({ auth: 'ok' });
  });

  it('answers 404 off the table, 405 with Allow for a method a path does not take, 500 on a handler bug', async () => {
    expect((await request({ port }, 'GET', '/nowhere')).status).toBe(404);
    const put = await request({ port }, 'PUT', '/ping/svc');
    expect([put.status, put.headers.allow]).toEqual([405, 'POST, GET, HEAD']);
    const boom = await request({ port }, 'GET', '/boom');
    expect([boom.status, boom.body]).toEqual([500, '{"error":"internal error"}']);
  });

  it('serves the same table on the unix socket with its own access settings', async () => {
    const r = await request({ socketPath }, 'POST', '/ping/svc', { Host: 'localhost' });
    expect([r.status, JSON.parse(r.body)]).toEqual([200, { name: 'svc', method: 'POST' }]);
    const page = await request({ socketPath }, 'GET', '/page', { Host: 'localhost' });
    expect(JSON.parse(page.body)).toEqual({ auth: 'open' });
  });

  it('records each TCP access once, with the outcome', () => {
    const rows = audit.map((a) => [a.method, a.path, a.status, a.auth]);
    expect(rows).toContainEqual(['POST', '/ping/svc', 401, 'missing']);
    expect(rows).toContainEqual(['GET', '/page?token=[REDACTED]', 200, 'ok']);
    expect(rows).toContainEqual(['PUT', '/ping/svc', 405, 'none']);
  });
});
