#!/usr/bin/env node
/**
 * The local stack's front doors, measured against the alternatives and printed side by side:
 *  1. warm invoke latency (p50/p99) of functions/hello: its handler called in this process, the engine's
 *     host.invoke(), the Invoke API on :9000 and the HTTP API gateway on :3000;
 *  2. invokes per second through the Invoke API at concurrency 1 and 8;
 *  3. cold start (runtime process spawned to first response) of the bundled hello against the same code
 *     unbundled (tsc output + node_modules).
 * Run after a build: pnpm --filter @lambda-images/local-stack bench (or node bench/front-doors.mjs).
 * Sizes: BENCH_WARM (default 500), BENCH_THROUGHPUT (default 2000), BENCH_COLD (default 8).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { findFunction } from "@lambda-images/function-config";
import { createFunctionHost, startStack } from "../dist/index.js";

const WARM = Number(process.env.BENCH_WARM ?? 500);
const THROUGHPUT = Number(process.env.BENCH_THROUGHPUT ?? 2000);
const COLD = Number(process.env.BENCH_COLD ?? 8);
const TARGETS = { overheadP50Ms: 2, invokesPerSecondAt8: 1000, coldRatio: 0.5 };

const hello = findFunction("hello");
const event = readFileSync(join(hello.dir, "events", "write-up-hello.json"));
const quiet = () => {};

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(samples) {
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

async function time(count, once) {
  for (let index = 0; index < Math.min(50, count); index++) await once(); // warm up
  const samples = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  return summary(samples);
}

/** Runs the HTTP client in a worker thread (see http-client.mjs) and returns what it measured. */
function client(options) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./http-client.mjs", import.meta.url), { workerData: options });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

async function httpLatency(url, method, body) {
  const { samples } = await client({ url, method, body, count: WARM, concurrency: 1, mode: "latency" });
  return summary(samples);
}

async function throughput(url, concurrency) {
  const { perSecond } = await client({
    url,
    method: "POST",
    body: event.toString(),
    count: THROUGHPUT,
    concurrency,
    mode: "throughput",
  });
  return perSecond;
}

/** The handler in this process, as the baseline; its log lines are dropped like the stack's log sink drops them. */
async function inProcessLatency() {
  const { handler } = await import(pathToFileURL(hello.bundle).href);
  const context = {
    awsRequestId: "bench",
    functionName: "hello",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:hello",
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => 5000,
  };
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    return await time(WARM, () => handler(JSON.parse(event.toString()), context));
  } finally {
    process.stdout.write = write;
  }
}

async function hostLatency() {
  const host = createFunctionHost(hello, { runner: "ric", logSink: quiet });
  try {
    return await time(WARM, () => host.invoke({ payload: event }));
  } finally {
    await host.close();
  }
}

async function withStack(run) {
  const stack = await startStack({
    functions: [hello],
    hostOptions: { runner: "ric", logSink: quiet },
    invokePort: 0,
    httpPort: 0,
    log: quiet,
  });
  try {
    return await run(stack);
  } finally {
    await stack.close();
  }
}

/** hello compiled by tsc, file for file, next to a node_modules link: what running it without a bundle loads. */
function unbundledHello() {
  const root = mkdtempSync(join(tmpdir(), "hello-unbundled-"));
  const tsc = createRequire(join(hello.dir, "package.json")).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [
    tsc,
    "-p",
    join(hello.dir, "tsconfig.json"),
    "--noEmit",
    "false",
    "--outDir",
    root,
    "--rootDir",
    hello.dir,
    "--declaration",
    "false",
    "--sourceMap",
    "false",
  ]);
  if (!existsSync(join(root, "src", "index.js"))) throw new Error(`tsc wrote no src/index.js into ${root}`);
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  symlinkSync(join(hello.dir, "node_modules"), join(root, "node_modules"), "dir");
  const distDir = join(root, "src");
  return {
    definition: { ...hello, distDir, bundle: join(distDir, "index.js") },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Fresh host, first invoke: spawn the runtime, load the handler, answer. */
async function coldStart(definition) {
  const host = createFunctionHost(definition, { runner: "ric", logSink: quiet });
  try {
    const started = performance.now();
    const outcome = await host.invoke({ payload: event });
    const elapsed = performance.now() - started;
    if (outcome.kind !== "response" || outcome.functionError)
      throw new Error(`cold start failed: ${outcome.payload}`);
    return { elapsed, init: outcome.report.initDurationMs ?? Number.NaN };
  } finally {
    await host.close();
  }
}

/** Only what bundling changes: importing the handler module in a fresh node process, timed inside it. */
function importTime(file) {
  const url = JSON.stringify(pathToFileURL(file).href);
  const script = `const t = performance.now(); await import(${url}); console.log(performance.now() - t);`;
  return Number(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim(),
  );
}

async function coldStarts() {
  const unbundled = unbundledHello();
  try {
    const bundled = [];
    const plain = [];
    for (let index = 0; index < COLD; index++) {
      bundled.push({ ...(await coldStart(hello)), load: importTime(hello.bundle) });
      plain.push({
        ...(await coldStart(unbundled.definition)),
        load: importTime(unbundled.definition.bundle),
      });
    }
    const median = (runs) => ({
      elapsed: quantile(
        runs.map((run) => run.elapsed),
        0.5,
      ),
      init: quantile(
        runs.map((run) => run.init),
        0.5,
      ),
      load: quantile(
        runs.map((run) => run.load),
        0.5,
      ),
    });
    return { bundled: median(bundled), unbundled: median(plain) };
  } finally {
    unbundled.cleanup();
  }
}

const ms = (value) => `${value.toFixed(2)} ms`;
const pass = (ok) => (ok ? "yes" : "NO");

const loadBefore = loadavg()[0];
const inProcess = await inProcessLatency();
const viaHost = await hostLatency();
const [viaInvokeApi, viaGateway, perSecond1, perSecond8] = await withStack(async (stack) => {
  const invokeUrl = `${stack.invokeUrl}/2015-03-31/functions/hello/invocations`;
  const latencyInvoke = await httpLatency(invokeUrl, "POST", event.toString());
  const latencyGateway = await httpLatency(`${stack.httpUrl}/hello?name=Chris`, "GET");
  return [latencyInvoke, latencyGateway, await throughput(invokeUrl, 1), await throughput(invokeUrl, 8)];
});
const cold = await coldStarts();

const overhead = viaInvokeApi.p50 - inProcess.p50;
console.log(
  `\nMachine: ${cpus().length} cores, Node ${process.version}, load average ${loadBefore.toFixed(2)} before and ` +
    `${loadavg()[0].toFixed(2)} after (other work on the machine skews every number)`,
);
console.log(`\nWarm invoke latency of functions/hello (${WARM} invokes each, runner ric)\n`);
console.table({
  "handler in process (baseline)": { p50: ms(inProcess.p50), p99: ms(inProcess.p99), "p50 overhead": "-" },
  "engine host.invoke()": {
    p50: ms(viaHost.p50),
    p99: ms(viaHost.p99),
    "p50 overhead": ms(viaHost.p50 - inProcess.p50),
  },
  "Invoke API (:9000)": {
    p50: ms(viaInvokeApi.p50),
    p99: ms(viaInvokeApi.p99),
    "p50 overhead": ms(overhead),
  },
  "HTTP API gateway (:3000)": {
    p50: ms(viaGateway.p50),
    p99: ms(viaGateway.p99),
    "p50 overhead": ms(viaGateway.p50 - inProcess.p50),
  },
});
console.log(`\nThroughput through the Invoke API (${THROUGHPUT} invokes, default 4 instances)\n`);
console.table({
  "concurrency 1": { "invokes/s": Math.round(perSecond1), ratio: "1.00x" },
  "concurrency 8": { "invokes/s": Math.round(perSecond8), ratio: `${(perSecond8 / perSecond1).toFixed(2)}x` },
});
console.log(`\nCold start, runtime spawned to first response (median of ${COLD})\n`);
const coldRow = (run) => ({
  "first response": ms(run.elapsed),
  "Init Duration": ms(run.init),
  "handler import only": ms(run.load),
});
const ratio = (key) => `${(cold.bundled[key] / cold.unbundled[key]).toFixed(2)}x`;
console.table({
  "bundled (dist/index.mjs)": coldRow(cold.bundled),
  "unbundled (tsc + node_modules)": coldRow(cold.unbundled),
  "bundled / unbundled": {
    "first response": ratio("elapsed"),
    "Init Duration": ratio("init"),
    "handler import only": ratio("load"),
  },
});
console.log("\nTargets\n");
console.table({
  "Invoke API overhead p50 <= 2 ms": { measured: ms(overhead), met: pass(overhead <= TARGETS.overheadP50Ms) },
  ">= 1,000 invokes/s at concurrency 8": {
    measured: `${Math.round(perSecond8)}/s`,
    met: pass(perSecond8 >= TARGETS.invokesPerSecondAt8),
  },
  "bundled cold start <= 0.5x unbundled": {
    measured: `${(cold.bundled.elapsed / cold.unbundled.elapsed).toFixed(2)}x`,
    met: pass(cold.bundled.elapsed / cold.unbundled.elapsed <= TARGETS.coldRatio),
  },
});
