// SNTP (RFC 4330) packets, pure: building a client request, reading a server
// reply, and the offset/delay arithmetic. The socket lives in the collector.

export const NTP_PACKET_BYTES = 48;
/** Seconds from the NTP era (1900-01-01) to the Unix epoch. */
export const NTP_UNIX_OFFSET_SEC = 2_208_988_800;
const TWO_32 = 2 ** 32;

export const MODE_CLIENT = 3;
export const MODE_SERVER = 4;
export const LEAP_UNSYNCHRONIZED = 3;

/** Write epoch ms as a 64-bit NTP timestamp at `offset`. */
export function writeNtpTimestamp(buf: Buffer, offset: number, epochMs: number): void {
  const ntpSec = epochMs / 1000 + NTP_UNIX_OFFSET_SEC;
  const seconds = Math.floor(ntpSec);
  const fraction = Math.floor((ntpSec - seconds) * TWO_32);
  buf.writeUInt32BE(seconds >>> 0, offset);
  buf.writeUInt32BE(fraction >>> 0, offset + 4);
}

/** Read a 64-bit NTP timestamp at `offset` as epoch ms (0 stays 0: "not set"). */
export function readNtpTimestamp(buf: Buffer, offset: number): number {
  const seconds = buf.readUInt32BE(offset);
  const fraction = buf.readUInt32BE(offset + 4);
  if (seconds === 0 && fraction === 0) return 0;
  return (seconds - NTP_UNIX_OFFSET_SEC + fraction / TWO_32) * 1000;
}

/** A client request (LI 0, version 4, mode 3) whose transmit timestamp is `t1Ms`. */
export function encodeSntpRequest(t1Ms: number): Buffer {
  const buf = Buffer.alloc(NTP_PACKET_BYTES);
  buf[0] = (0 << 6) | (4 << 3) | MODE_CLIENT;
  writeNtpTimestamp(buf, 40, t1Ms);
  return buf;
}

export interface SntpReply {
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  /** Root delay and dispersion in ms (32-bit fixed point 16.16 seconds). */
  rootDelayMs: number;
  rootDispersionMs: number;
  /** The four timestamps in epoch ms: originate (echo of our T1), receive (T2), transmit (T3). */
  originateMs: number;
  receiveMs: number;
  transmitMs: number;
  /** Raw originate timestamp bytes, compared with the request to reject stray replies. */
  originateRaw: Buffer;
}

export function decodeSntpPacket(buf: Buffer): SntpReply {
  if (buf.length < NTP_PACKET_BYTES) {
    throw new Error(`SNTP reply too short: ${buf.length} bytes`);
  }
  const b0 = buf[0]!;
  return {
    leap: b0 >> 6,
    version: (b0 >> 3) & 7,
    mode: b0 & 7,
    stratum: buf[1]!,
    rootDelayMs: (buf.readInt32BE(4) / 65536) * 1000,
    rootDispersionMs: (buf.readUInt32BE(8) / 65536) * 1000,
    originateMs: readNtpTimestamp(buf, 24),
    receiveMs: readNtpTimestamp(buf, 32),
    transmitMs: readNtpTimestamp(buf, 40),
    originateRaw: buf.subarray(24, 32),
  };
}

export interface SntpMeasurement {
  /** Correction the local clock needs (positive: local clock behind the server). */
  offsetMs: number;
  /** Round-trip delay minus the server's processing time. */
  delayMs: number;
  stratum: number;
  errorBoundMs: number;
}

/**
 * Validate a reply to the request sent at T1 and received at T4 (local epoch
 * ms) and compute, per RFC 4330 section 5: offset = ((T2 - T1) + (T3 - T4)) / 2,
 * delay = (T4 - T1) - (T3 - T2).
 */
export function measureSntp(request: Buffer, reply: SntpReply, t4Ms: number): SntpMeasurement {
  if (reply.mode !== MODE_SERVER) throw new Error(`SNTP reply has mode ${reply.mode}, not server`);
  if (reply.stratum === 0) throw new Error('SNTP kiss-o-death reply (stratum 0)');
  if (reply.leap === LEAP_UNSYNCHRONIZED) throw new Error('SNTP server is not synchronised');
  if (!reply.originateRaw.equals(request.subarray(40, 48))) {
    throw new Error('SNTP reply does not answer our request (originate timestamp differs)');
  }
  if (reply.transmitMs === 0) throw new Error('SNTP reply has no transmit timestamp');
  const t1 = reply.originateMs;
  const t2 = reply.receiveMs;
  const t3 = reply.transmitMs;
  const offsetMs = (t2 - t1 + (t3 - t4Ms)) / 2;
  const delayMs = Math.max(0, t4Ms - t1 - (t3 - t2));
  return {
    offsetMs,
    delayMs,
    stratum: reply.stratum,
    errorBoundMs: Math.abs(offsetMs) + delayMs / 2 + reply.rootDispersionMs + reply.rootDelayMs / 2,
  };
}
