// Streaming against the alternative: the same CSV report answered by this function (streamed, chunk by chunk) and
// by a buffered handler that builds the whole report and returns it. Both run under the real aws-lambda-ric through
// the local stack's Runtime API, one warm instance each. Prints time to first byte, total time and peak memory
// side by side, with ratios. Run: pnpm --filter @lambda-images/report-stream bench (after build).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildFunction } from "@lambda-images/build";
import { loadFunction } from "@lambda-images/function-config";
import { createFunctionHost } from "@lambda-images/local-stack";

const here = fileURLToPath(new URL("..", import.meta.url));
const ROWS = [10_000, 100_000, 1_000_000];
const RUNS = 3;
const BUFFERED_LIMIT = 6 * 1024 * 1024 + 100;

/** The alternative: a buffered handler over the same core, built by the project's build tool in a temp folder. */
async function bufferedFunction() {
  const dir = mkdtempSync(join(tmpdir(), "report-buffered-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "report-buffered",
      version: "0.0.0",
      type: "module",
      lambda: { name: "report-buffered", timeout: 60 },
    }),
  );
  const core = JSON.stringify(join(here, "src", "report.ts"));
  writeFileSync(
    join(dir, "src", "index.ts"),
    `import { parseReportRequest, reportChunks } from ${core};
export const handler = async (event: { queryStringParameters?: Record<string, string> }) => {
  const parsed = parseReportRequest(event.queryStringParameters);
  if (!parsed.ok) return { statusCode: 400, body: JSON.stringify({ message: parsed.error }) };
  return { statusCode: 200, headers: { "content-type": "text/csv" }, body: [...reportChunks(parsed.request)].join("") };
};
`,
  );
  const fn = loadFunction(dir);
  await buildFunction(fn);
  return { fn, dir };
}

function event(rows) {
  const base = JSON.parse(readFileSync(join(here, "events", "report-1000-rows.json"), "utf8"));
  return Buffer.from(
    JSON.stringify({
      ...base,
      rawQueryString: `rows=${rows}`,
      queryStringParameters: { rows: String(rows) },
    }),
  );
}

/** One invoke: ms to the first byte, ms to the end, bytes, and the instance's max memory (MB). */
async function measure(host, rows, acceptStream) {
  const started = performance.now();
  const outcome = await host.invoke({ payload: event(rows), acceptStream });
  if (outcome.kind !== "response") throw new Error(`${outcome.kind}: ${outcome.message}`);
  if (outcome.stream === undefined) {
    const ms = performance.now() - started;
    return {
      firstByteMs: ms,
      totalMs: ms,
      bytes: outcome.payload.length,
      memoryMb: outcome.report.maxMemoryUsedMb,
      error: outcome.errorType,
    };
  }
  let firstByteMs;
  let bytes = 0;
  outcome.stream.on("data", (chunk) => {
    firstByteMs ??= performance.now() - started;
    bytes += chunk.length;
  });
  const ended = new Promise((resolve) => outcome.stream.once("end", resolve));
  const completion = await outcome.streamCompletion;
  await ended;
  return {
    firstByteMs,
    totalMs: performance.now() - started,
    bytes,
    memoryMb: completion.report.maxMemoryUsedMb,
    error: completion.errorType,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function series(host, rows, acceptStream) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push(await measure(host, rows, acceptStream));
  const last = runs.at(-1);
  return {
    firstByteMs: median(runs.map((r) => r.firstByteMs)),
    totalMs: median(runs.map((r) => r.totalMs)),
    bytes: last.bytes,
    memoryMb: Math.max(...runs.map((r) => r.memoryMb)),
    error: last.error,
  };
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}x` : "-");

const streamedFn = loadFunction(here);
const buffered = await bufferedFunction();
const quiet = () => {};
// A fresh instance per size, so each peak memory belongs to that size only.
console.log(
  `report-stream: streamed vs buffered, median of ${RUNS} warm invokes (aws-lambda-ric, local Runtime API)`,
);
console.log(
  [
    "rows",
    "MB",
    "first byte (stream | buffered | ratio)",
    "total (stream | buffered | ratio)",
    "peak memory MB (stream | buffered | ratio)",
  ].join("\t"),
);
try {
  for (const rows of ROWS) {
    const streamHost = createFunctionHost(streamedFn, { runner: "ric", maxInstances: 1, logSink: quiet });
    const bufferHost = createFunctionHost(buffered.fn, { runner: "ric", maxInstances: 1, logSink: quiet });
    try {
      await measure(streamHost, 10, true); // warm both instances
      await measure(bufferHost, 10, false);
      const s = await series(streamHost, rows, true);
      const b = await series(bufferHost, rows, false);
      const bufferedCell = (value, f) => (b.error ? `failed: ${b.error}` : f(value));
      console.log(
        [
          rows,
          (s.bytes / 1024 / 1024).toFixed(1),
          `${fmt(s.firstByteMs)} | ${bufferedCell(b.firstByteMs, fmt)} | ${b.error ? "-" : ratio(b.firstByteMs, s.firstByteMs)}`,
          `${fmt(s.totalMs)} | ${bufferedCell(b.totalMs, fmt)} | ${b.error ? "-" : ratio(b.totalMs, s.totalMs)}`,
          `${s.memoryMb} | ${b.memoryMb} | ${ratio(b.memoryMb, s.memoryMb)}`,
        ].join("\t"),
      );
      if (b.error)
        console.log(`\t(buffered: a response over ${BUFFERED_LIMIT} bytes is refused by Lambda: ${b.error})`);
    } finally {
      await streamHost.close();
      await bufferHost.close();
    }
  }
} finally {
  rmSync(buffered.dir, { recursive: true, force: true });
}
