// Sanitization applied before anything is shown, logged or exported:
// secrets are redacted (by key name at any depth, and by shape inside any
// string) and control/escape characters are made visible, so a hostile
// heartbeat can neither drive the terminal nor leak a credential into a log.

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets whatever they hold. Matched on a normalised key. */
const SECRET_KEY =
  /(^|_)(pass(word|wd|phrase)?|pwd|secrets?|(access_|refresh_|auth_|id_|session_|bearer_)?tokens?|api_?keys?|apikey|authori[sz]ation|cookies?|set_cookie|private_?keys?|credentials?|client_secret|signature)($|_)/;

function normaliseKey(key: string): string {
  // camelCase -> snake_case, dashes and dots -> underscores, lower case.
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-.\s]+/g, '_')
    .toLowerCase();
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(normaliseKey(key));
}

/** Secret shapes found inside free text. Order matters: PEM before shorter shapes. */
const SECRET_SHAPES: Array<[RegExp, string | ((m: string, ...g: string[]) => string)]> = [
  // PEM blocks (private keys, certificates with keys), even when truncated at the end.
  [/-----BEGIN [A-Z0-9 ]*-----[\s\S]*?(-----END [A-Z0-9 ]*-----|$)/g, REDACTED],
  // Authorization header values.
  [
    /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi,
    (_m, scheme) => `${scheme} ${REDACTED}`,
  ],
  // JSON Web Tokens.
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // AWS access key ids.
  [/\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g, REDACTED],
  // GitHub, Slack, Stripe, Google API keys, npm tokens.
  [/\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/g, REDACTED],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, REDACTED],
  [/\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, REDACTED],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, REDACTED],
  // Credentials in URLs: scheme://user:password@host -> scheme://user:[REDACTED]@host
  [
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+):([^\s@/]+)@/gi,
    (_m, scheme, user) => `${scheme}${user}:${REDACTED}@`,
  ],
  // key=value and key: value pairs whose key names a secret (query strings, env dumps, logfmt).
  [
    /\b([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|authorization|cookie|private[_-]?key|credential)[A-Za-z0-9_.-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;]+)/gi,
    (_m, key, sep) => `${key}${sep}${REDACTED}`,
  ],
];

/** Redact secret shapes inside a string. */
export function redactString(s: string): string {
  let out = s;
  for (const [re, rep] of SECRET_SHAPES) {
    out = out.replace(re, rep as (m: string, ...g: string[]) => string);
  }
  return out;
}

// C0 controls, DEL, C1 controls, and the Unicode bidi/format characters that can
// reorder or hide text on a terminal (Trojan Source).
const UNSAFE_RANGES: Array<[number, number]> = [
  [0x00, 0x1f], // C0 controls, ESC among them
  [0x7f, 0x9f], // DEL and C1 controls (CSI 0x9b included)
  [0x200b, 0x200f], // zero-width characters and directional marks
  [0x2028, 0x2029], // line and paragraph separators
  [0x202a, 0x202e], // bidi embeddings and overrides
  [0x2060, 0x2069], // word joiner, invisible operators, bidi isolates
  [0xfeff, 0xfeff], // byte order mark
];
const hex = (n: number) => `\\u${n.toString(16).padStart(4, '0')}`;
const UNSAFE_CHARS = new RegExp(
  `[${UNSAFE_RANGES.map(([a, b]) => `${hex(a)}-${hex(b)}`).join('')}]`,
  'g',
);

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * The one escape for untrusted text on a terminal, a title or a log line:
 * C0/C1 control characters, DEL, zero-width and bidi characters are shown as
 * escapes (`\x1b`, `\n`, `\u202e`), so a daemon named "a\x1b[2Jb" cannot
 * clear the screen or disguise itself; null and undefined are the empty
 * string. Backslashes are left alone so escaping is idempotent: the core, the
 * table and the UI may each escape the same text.
 */
export function escapeControl(s: string | null | undefined): string {
  if (s == null) return '';
  return s.replace(UNSAFE_CHARS, (c) => {
    const named = NAMED_ESCAPES[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** True when the string holds characters escapeControl would rewrite. */
export function hasControlChars(s: string): boolean {
  UNSAFE_CHARS.lastIndex = 0;
  const found = UNSAFE_CHARS.test(s);
  UNSAFE_CHARS.lastIndex = 0;
  return found;
}

/** Redact and escape one string: what every displayed or logged free text goes through. */
export function sanitizeString(s: string, maxLength = 4096): string {
  const clipped =
    s.length > maxLength ? `${s.slice(0, maxLength)}…[${s.length - maxLength} more chars]` : s;
  return escapeControl(redactString(clipped));
}

export interface SanitizeOptions {
  /** Deeper structures are replaced by a marker. */
  maxDepth?: number;
  /** Longer arrays are cut, with a marker entry. */
  maxArray?: number;
  /** Objects with more keys are cut, with a marker key. */
  maxKeys?: number;
  maxString?: number;
}

/**
 * Deep-copy a JSON-like value with secrets redacted and strings escaped.
 * Keys are escaped too (a key is as hostile as a value). Cycles, functions,
 * symbols and exotic objects never survive; the result is plain JSON data.
 */
export function sanitizeValue(value: unknown, opts: SanitizeOptions = {}): unknown {
  const maxDepth = opts.maxDepth ?? 8;
  const maxArray = opts.maxArray ?? 100;
  const maxKeys = opts.maxKeys ?? 100;
  const maxString = opts.maxString ?? 4096;
  const seen = new WeakSet<object>();

  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v === 'string') return sanitizeString(v, maxString);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return undefined; // functions, symbols, undefined
    if (seen.has(v)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        const out = v.slice(0, maxArray).map((x) => walk(x, depth + 1) ?? null);
        if (v.length > maxArray) out.push(`[${v.length - maxArray} more items]`);
        return out;
      }
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      const out: Record<string, unknown> = {};
      const keys = Object.keys(v);
      for (const key of keys.slice(0, maxKeys)) {
        const safeKey = escapeControl(key);
        const inner = (v as Record<string, unknown>)[key];
        if (isSecretKey(key) && inner !== null && inner !== undefined && inner !== '') {
          out[safeKey] = REDACTED;
        } else {
          const w = walk(inner, depth + 1);
          if (w !== undefined) out[safeKey] = w;
        }
      }
      if (keys.length > maxKeys) out['[truncated]'] = `${keys.length - maxKeys} more keys`;
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}
