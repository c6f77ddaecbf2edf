/**
 * The pure core of report-stream: no Lambda, no streams, no I/O. It reads the report request from a query string
 * and generates the CSV report as a sequence of chunks, so the handler can send each one as soon as it exists and
 * never holds the whole report in memory. The same request always gives the same report (a seeded generator).
 */

export const DEFAULT_ROWS = 10_000;
/** About 55 MB of CSV: far past the 6 MB a buffered response may carry, well within streaming's 200 MB. */
export const MAX_ROWS = 1_000_000;
export const ROWS_PER_CHUNK = 1_000;
export const DEFAULT_SEED = 1;

export const CSV_HEADER = "date,region,product,units,unit_price_cents,revenue_cents\n";

const REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1"] as const;
const PRODUCTS: readonly { readonly name: string; readonly unitPriceCents: number }[] = [
  { name: "espresso-beans-1kg", unitPriceCents: 2_450 },
  { name: "grinder-burr", unitPriceCents: 12_900 },
  { name: "kettle-gooseneck", unitPriceCents: 6_500 },
  { name: "filter-papers-100", unitPriceCents: 599 },
  { name: "mug-stoneware", unitPriceCents: 1_800 },
];
const FIRST_DAY = Date.UTC(2026, 0, 1);
const DAYS = 365;
const DAY_MS = 86_400_000;

export interface ReportRequest {
  readonly rows: number;
  readonly seed: number;
}

export type ReportRequestResult =
  | { readonly ok: true; readonly request: ReportRequest }
  | { readonly ok: false; readonly error: string };

/** A whole number written in plain digits, within [min, max]. */
function readInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number | string {
  if (value === undefined || value.trim() === "") return fallback;
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) {
    return `Query parameter "${name}" must be a whole number from ${min} to ${max}, not "${value}".`;
  }
  const number = Number(trimmed);
  if (number < min || number > max) {
    return `Query parameter "${name}" is ${trimmed}; it must be from ${min} to ${max}.`;
  }
  return number;
}

/** Reads `rows` (default 10,000, 1 to 1,000,000) and `seed` (default 1) from the query string. */
export function parseReportRequest(
  query: Readonly<Record<string, string | undefined>> | undefined,
): ReportRequestResult {
  const rows = readInteger("rows", query?.rows, DEFAULT_ROWS, 1, MAX_ROWS);
  if (typeof rows === "string") return { ok: false, error: rows };
  const seed = readInteger("seed", query?.seed, DEFAULT_SEED, 0, 2 ** 32 - 1);
  if (typeof seed === "string") return { ok: false, error: seed };
  return { ok: true, request: { rows, seed } };
}

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). Plenty for made-up sales figures. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

/**
 * The report as CSV text in chunks: the header and the first rows, then `rowsPerChunk` rows per chunk. Rows run
 * through the year 2026 in date order. Every chunk is built only when the consumer asks for it.
 */
export function* reportChunks(
  { rows, seed }: ReportRequest,
  rowsPerChunk: number = ROWS_PER_CHUNK,
): Generator<string, void, undefined> {
  if (!Number.isInteger(rowsPerChunk) || rowsPerChunk < 1) {
    throw new RangeError(`rowsPerChunk must be a positive whole number, not ${rowsPerChunk}.`);
  }
  const random = seededRandom(seed);
  let chunk = CSV_HEADER;
  for (let index = 0; index < rows; index++) {
    const day = Math.floor((index * DAYS) / rows);
    const date = new Date(FIRST_DAY + day * DAY_MS).toISOString().slice(0, 10);
    const region = pick(REGIONS, random);
    const product = pick(PRODUCTS, random);
    const units = 1 + Math.floor(random() * 50);
    chunk += `${date},${region},${product.name},${units},${product.unitPriceCents},${units * product.unitPriceCents}\n`;
    if ((index + 1) % rowsPerChunk === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The file name the report is offered under. */
export function reportFileName({ rows, seed }: ReportRequest): string {
  return `sales-report-${rows}-rows-seed-${seed}.csv`;
}
