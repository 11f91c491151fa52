import { describe, expect, it } from '@jest/globals';
import {
  REDACTED,
  escapeControl,
  hasControlChars,
  isSecretKey,
  redactString,
  sanitizeString,
  sanitizeValue,
} from '../../src/core/sanitize.js';

const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const pem =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----';

describe('redactString: secret shapes anywhere in text', () => {
  it.each<[string, string, string]>([
    ['bearer header', 'Authorization: Bearer abcdef0123456789.xyz', 'abcdef0123456789'],
    ['basic header', 'sent Basic dXNlcjpwYXNzd29yZA== to upstream', 'dXNlcjpwYXNzd29yZA'],
    ['jwt', `session ${jwt} expired`, 'SflKxwRJSMeKKF2QT4fw'],
    ['aws key id', 'using AKIAIOSFODNN7EXAMPLE for s3', 'AKIAIOSFODNN7EXAMPLE'],
    ['pem block', `key:\n${pem}\ndone`, 'MIIEowIBAAKCAQEA7'],
    ['truncated pem', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg', 'MIIEvQIBADANBg'],
    ['url credentials', 'connect postgres://app:hunter2@db:5432/x', 'hunter2'],
    ['query string', 'GET /cb?user=bob&access_token=s3cr3tvalue&x=1', 's3cr3tvalue'],
    ['env style', 'DB_PASSWORD=correcthorse started', 'correcthorse'],
    ['github token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghij'],
    ['slack token', 'xoxb-123456789012-abcdefghijkl', 'xoxb-123456789012'],
  ])('%s', (_name, input, secret) => {
    const out = redactString(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each([
    'relayCore restarted after 3 retries',
    'queue depth 1200, lag 35ms',
    'https://example.com/health?verbose=1',
    'token bucket refilled', // the word alone is not a secret
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactString(text)).toBe(text);
  });
});

describe('escapeControl', () => {
  it.each<[string, string]>([
    ['\u001b[2J\u001b[31mred', '\\x1b[2J\\x1b[31mred'],
    ['bell\u0007', 'bell\\x07'],
    ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['c1 \u009b31m', 'c1 \\x9b31m'],
    ['bidi \u202eevil', 'bidi \\u202eevil'],
    ['zero\u200bwidth', 'zero\\u200bwidth'],
    ['plain ünïcödé ✓', 'plain ünïcödé ✓'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeControl(input)).toBe(expected);
    expect(hasControlChars(input)).toBe(input !== expected);
  });
});

describe('isSecretKey', () => {
  it.each([
    'password',
    'passwd',
    'dbPassword',
    'secret',
    'client_secret',
    'token',
    'accessToken',
    'apiKey',
    'api_key',
    'API-KEY',
    'Authorization',
    'cookie',
    'Set-Cookie',
    'private_key',
    'privateKey',
    'credentials',
  ])('%s is secret', (k) => expect(isSecretKey(k)).toBe(true));
  it.each(['name', 'pid', 'tokenizer_version', 'keyspace', 'status', 'passthrough', 'message'])(
    '%s is not secret',
    (k) => expect(isSecretKey(k)).toBe(false),
  );
});

describe('sanitizeValue: hostile payloads', () => {
  it.each<[string, unknown, (out: string) => void]>([
    [
      'nested secret keys at any depth',
      { a: { b: { c: { password: 'p4ss', ok: 1 } } } },
      (o) => {
        expect(o).not.toContain('p4ss');
        expect(o).toContain('"ok":1');
      },
    ],
    [
      'secrets inside arrays',
      { list: [{ token: 'tkn-1' }, { apiKey: 'k-2' }] },
      (o) => {
        expect(o).not.toMatch(/tkn-1|k-2/);
      },
    ],
    [
      'escape sequences in values and keys',
      { ['\u001b[31mkey']: '\u001b]0;pwned\u0007' },
      (o) => {
        expect(o).not.toContain('\u001b');
        expect(o).toContain('\\\\x1b[31mkey');
      },
    ],
    [
      'secret shapes in free text',
      { message: `auth with ${jwt}` },
      (o) => expect(o).not.toContain('SflKx'),
    ],
    [
      'huge strings are clipped',
      { message: 'x'.repeat(100_000) },
      (o) => {
        expect(o.length).toBeLessThan(5000);
        expect(o).toContain('more chars');
      },
    ],
    [
      'huge arrays are clipped',
      { a: Array.from({ length: 1000 }, (_, i) => i) },
      (o) => expect(o).toContain('900 more items'),
    ],
    [
      'deep nesting is cut',
      JSON.parse('{"a":'.repeat(50) + '1' + '}'.repeat(50)),
      (o) => expect(o).toContain('[Truncated]'),
    ],
    [
      'non-finite numbers become strings',
      { n: Infinity, m: NaN },
      (o) => expect(o).toBe('{"n":"Infinity","m":"NaN"}'),
    ],
  ])('%s', (_name, input, check) => {
    check(JSON.stringify(sanitizeValue(input)));
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'x' };
    a.self = a;
    expect(sanitizeValue(a)).toEqual({ name: 'x', self: '[Circular]' });
  });

  it('keeps empty secret values visible as empty (nothing to hide)', () => {
    expect(sanitizeValue({ token: '', password: null })).toEqual({ token: '', password: null });
  });

  it('sanitizeString redacts before escaping', () => {
    expect(sanitizeString('Bearer abcdefgh12345678\u001b[0m')).toBe(`Bearer ${REDACTED}\\x1b[0m`);
  });
});
