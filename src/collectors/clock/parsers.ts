// Parsers for what clock-sync tools print. Pure: text in, ClockSample out.
// Offsets follow NTP's sign convention, as each tool reports it: the
// correction the local clock needs, so positive means the local clock is
// behind the reference.

export interface ClockSample {
  synced: boolean | null;
  offsetMs: number | null;
  /** Worst-case error of the local clock, when the tool can tell. */
  errorBoundMs: number | null;
  /** 'chrony', 'timedatectl', 'sntp host:port', with the reference when known. */
  source: string;
  stratum: number | null;
}

const num = (s: string | undefined): number | null => {
  if (s === undefined || s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/**
 * `chronyc -c tracking`: one CSV line of reference id, reference name, stratum,
 * ref time, system time (the correction, s), last offset, RMS offset,
 * frequency, residual frequency, skew, root delay, root dispersion, update
 * interval, leap status. Not synchronised shows as leap status "Not
 * synchronised" (and stratum 0 / reference id 00000000).
 */
export function parseChronyTracking(text: string): ClockSample | null {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.split(',').length >= 14);
  if (!line) return null;
  const f = line.split(',');
  const refId = f[0]!;
  const refName = f[1]!;
  const stratum = num(f[2]);
  const correctionSec = num(f[4]);
  const rootDelaySec = num(f[10]);
  const rootDispersionSec = num(f[11]);
  const leap = f[13]!.trim();
  if (stratum === null || correctionSec === null) return null;
  const synced = leap !== 'Not synchronised' && stratum > 0 && !/^0+$/.test(refId);
  const offsetMs = correctionSec * 1000;
  const errorBoundMs =
    synced && rootDelaySec !== null && rootDispersionSec !== null
      ? (Math.abs(correctionSec) + rootDispersionSec + rootDelaySec / 2) * 1000
      : null;
  return {
    synced,
    offsetMs: synced ? offsetMs : null,
    errorBoundMs,
    source: refName ? `chrony ${refName}` : 'chrony',
    stratum: synced ? stratum : null,
  };
}

/** `timedatectl show`: KEY=VALUE lines; NTPSynchronized says whether the clock is synced. */
export function parseTimedatectlShow(text: string): {
  synced: boolean | null;
  ntp: boolean | null;
} {
  const kv = parseKeyValue(text, '=');
  const yesNo = (v: string | undefined) => (v === 'yes' ? true : v === 'no' ? false : null);
  return { synced: yesNo(kv.NTPSynchronized), ntp: yesNo(kv.NTP) };
}

/**
 * `timedatectl timesync-status` (systemd-timesyncd): "Key: value" lines with
 * human units ("Offset: -1.102ms", "Root distance: 22.963ms (max: 5s)").
 * Returns null when the text has no Server line (not this tool's output).
 */
export function parseTimesyncStatus(
  text: string,
  synced: boolean | null = null,
): ClockSample | null {
  const kv = parseKeyValue(text, ':');
  if (kv.Server === undefined) return null;
  const server = kv.Server.trim();
  const contacted = !server.startsWith('n/a') && server !== '';
  const offsetMs = contacted ? parseDurationMs(kv.Offset) : null;
  const rootDistanceMs = contacted ? parseDurationMs(kv['Root distance']?.split('(')[0]) : null;
  const stratum = contacted ? num(kv.Stratum) : null;
  const packets = num(kv['Packet count']);
  const haveSample = contacted && offsetMs !== null && (packets === null || packets > 0);
  return {
    synced: synced ?? (haveSample ? true : false),
    offsetMs: haveSample ? offsetMs : null,
    errorBoundMs:
      haveSample && rootDistanceMs !== null ? Math.abs(offsetMs!) + rootDistanceMs : null,
    source: `timedatectl ${server}`,
    stratum,
  };
}

function parseKeyValue(text: string, sep: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const at = raw.indexOf(sep);
    if (at <= 0) continue;
    out[raw.slice(0, at).trim()] = raw.slice(at + 1).trim();
  }
  return out;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  sec: 1000,
  min: 60_000,
  h: 3_600_000,
};

/** systemd's human durations: "-1.102ms", "+345us", "1.5s", "1min 4s". */
export function parseDurationMs(text: string | undefined): number | null {
  if (!text) return null;
  const t = text.trim();
  const sign = t.startsWith('-') ? -1 : 1;
  const re = /([0-9]*\.?[0-9]+)\s*(ns|us|µs|ms|min|sec|s|h)/g;
  let total = 0;
  let matched = false;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = true;
  }
  return matched ? sign * total : null;
}
