/**
 * What every generated event shares: the account, the region, the moment it happened and a source of randomness
 * for IDs. Given a seed, both the randomness and the moment are fixed, so the same command prints the same event.
 */
import { createHash, randomBytes } from "node:crypto";

export const ACCOUNT_ID = "123456789012";
export const DEFAULT_REGION = "us-east-1";

export interface EventContext {
  readonly accountId: string;
  readonly region: string;
  /** When the event happened. */
  readonly now: Date;
  /** `n` random bytes: from the seed when there is one, from the system otherwise. */
  readonly bytes: (n: number) => Buffer;
}

export interface ContextOptions {
  region?: string | undefined;
  /** Makes the IDs and the time deterministic. */
  seed?: string | undefined;
  /** Overrides the time (the current time, or a fixed one derived from the seed, otherwise). */
  now?: Date | undefined;
}

/** The moment a seeded event happens on: a fixed day, at a time of day the seed picks. */
const SEEDED_DAY = Date.UTC(2026, 0, 15);

export function createContext(options: ContextOptions = {}): EventContext {
  const region = options.region ?? DEFAULT_REGION;
  if (options.seed === undefined) {
    return { accountId: ACCOUNT_ID, region, now: options.now ?? new Date(), bytes: (n) => randomBytes(n) };
  }
  // A counter-mode stream of SHA-256 blocks over the seed: deterministic, and good enough for sample IDs.
  let counter = 0;
  let pool = Buffer.alloc(0);
  const bytes = (n: number): Buffer => {
    while (pool.length < n) {
      const block = createHash("sha256").update(`${options.seed}:${counter++}`).digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = pool.subarray(0, n);
    pool = pool.subarray(n);
    return Buffer.from(out);
  };
  const now = options.now ?? new Date(SEEDED_DAY + (bytes(4).readUInt32BE(0) % 86_400) * 1000);
  return { accountId: ACCOUNT_ID, region, now, bytes };
}

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** `length` characters drawn from `alphabet`. */
export function pick(ctx: EventContext, alphabet: string, length: number): string {
  return [...ctx.bytes(length)].map((b) => alphabet[b % alphabet.length]).join("");
}

export const hex = (ctx: EventContext, length: number): string =>
  ctx
    .bytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);

/** A version 4 UUID. */
export function uuid(ctx: EventContext): string {
  const b = ctx.bytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An API Gateway ID (REST API, HTTP API, Function URL ID prefix): lowercase letters and digits. */
export const apiId = (ctx: EventContext, length = 10): string => pick(ctx, LOWER_ALNUM, length);

/** An IAM unique ID, as in `AIDA...` (users) or `AROA...` (roles). */
export const iamId = (ctx: EventContext, prefix = "AIDA"): string => prefix + pick(ctx, UPPER_ALNUM, 17);

/** API Gateway's short request IDs (HTTP API `requestId`, REST `extendedRequestId`), as in "Pjd9ciSLoAMEVJQ=". */
export const shortRequestId = (ctx: EventContext): string =>
  `${ctx.bytes(11).toString("base64").replace(/\+/g, "a").replace(/\//g, "b").slice(0, 15)}=`;

/** An X-Ray trace header: Root=1-<epoch seconds in hex>-<24 hex digits>. */
export const traceId = (ctx: EventContext): string =>
  `Root=1-${Math.floor(ctx.now.getTime() / 1000).toString(16)}-${hex(ctx, 24)}`;

/** A documentation IP address (RFC 5737), as a caller's source IP. */
export const sourceIp = (ctx: EventContext): string => `203.0.113.${((ctx.bytes(1)[0] ?? 0) % 254) + 1}`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** API Gateway's request time: "15/Jan/2026:12:00:00 +0000". */
export function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** ISO 8601 without milliseconds ("2026-01-15T12:00:00Z"), as EventBridge writes `time`. */
export const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export const arn = (ctx: EventContext, service: string, resource: string, region = ctx.region): string =>
  `arn:aws:${service}:${region}:${ctx.accountId}:${resource}`;
