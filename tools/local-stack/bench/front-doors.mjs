#!/usr/bin/env node
/**
 * The local stack's front doors, each measured against its floor in the same run and printed side by side:
 *  1. warm invoke latency (p50/p99) of functions/hello through the Invoke API on :9000 and the HTTP API gateway on
 *     :3000, against the floor: a bare node:http server in this process that calls the same bundled handler (no
 *     runtime process, no Runtime API), hit by the same keep-alive client with the same body. The engine's
 *     host.invoke() is shown too: the runtime process and the Runtime API without an HTTP front door.
 *  2. invokes per second through the Invoke API at concurrency 1 and 8 (default instance count), against the floor
 *     hit the same way.
 * With the concurrency-8 run, the CPU each side spent per invoke: this process (the stack or the floor, with the client
 * thread) and the runtime processes it started (from /proc, Linux only), to show where the time goes.
 * Every number comes from the real paths; the bench prints targets and whether they were met, and never fails on a
 * missed one. Run after a build: pnpm --filter @lambda-images/local-stack bench (or node bench/front-doors.mjs).
 * Sizes: BENCH_WARM (default 500), BENCH_THROUGHPUT (default 2000). BENCH_RUNNER=fallback runs the pure-JS runtime
 * client instead of aws-lambda-ric (to see the client's share).
 */
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { findFunction } from "@lambda-images/function-config";
import { createFunctionHost, startStack } from "../dist/index.js";
import { readProcStat } from "./proc-stat.mjs";

const WARM = Number(process.env.BENCH_WARM ?? 500);
const THROUGHPUT = Number(process.env.BENCH_THROUGHPUT ?? 2000);
const RUNNER = process.env.BENCH_RUNNER ?? "ric";
/** Goals, each against the floor measured in the same run. */
const TARGETS = { p50OverFloorMs: 1, p99OverFloorRatio: 3, throughputRatioAt8: 0.4 };

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

/** CPU time (ms) of the processes below this one, from /proc/<pid>/stat (utime + stime); 0 where /proc is not. */
function descendantsCpuMs() {
  let pids;
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const parents = new Map();
  const cpu = new Map();
  for (const pid of pids) {
    const stat = readProcStat(`/proc/${pid}/stat`);
    if (stat === undefined) continue; // gone while we read
    parents.set(pid, stat.parent);
    cpu.set(pid, stat.cpuMs);
  }
  const below = (pid) => {
    for (let parent = parents.get(pid); parent !== undefined; parent = parents.get(parent)) {
      if (parent === String(process.pid)) return true;
    }
    return false;
  };
  return [...cpu].filter(([pid]) => below(pid)).reduce((sum, [, value]) => sum + value, 0);
}

/** Runs `measure` and returns its result with the CPU per invoke (ms) of this process and of its descendants. */
async function withCpu(invokes, measure) {
  const own = process.cpuUsage();
  const children = descendantsCpuMs();
  const result = await measure();
  const used = process.cpuUsage(own);
  return {
    result,
    ownCpuMs: (used.user + used.system) / 1000 / invokes,
    childrenCpuMs: (descendantsCpuMs() - children) / invokes,
  };
}

async function throughput(url, concurrency) {
  const { perSecond, clientCpuMs } = await client({
    url,
    method: "POST",
    body: event.toString(),
    count: THROUGHPUT,
    concurrency,
    mode: "throughput",
  });
  return { perSecond, clientCpuMs };
}

/** Runs `run` with this process's stdout and stderr writes dropped, as the stack's log sink drops a runtime's. */
async function silenced(run) {
  const { stdout, stderr } = process;
  const writes = [stdout.write, stderr.write];
  stdout.write = () => true;
  stderr.write = () => true;
  try {
    return await run();
  } finally {
    [stdout.write, stderr.write] = writes;
  }
}

/**
 * The floor: a bare node:http server that reads the body, parses it, calls the bundled handler (with the function's
 * configured environment, as its runtime gets it) and answers with its result as JSON. Its log lines are dropped.
 */
async function withFloor(run) {
  Object.assign(process.env, hello.environment);
  const { handler } = await import(pathToFileURL(hello.bundle).href);
  const context = {
    awsRequestId: "bench",
    functionName: "hello",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:hello",
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => 5000,
  };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", async () => {
      const result = await handler(JSON.parse(Buffer.concat(chunks).toString()), context);
      const body = JSON.stringify(result);
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    return await silenced(() => run(`http://127.0.0.1:${server.address().port}/`));
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function hostLatency() {
  const host = createFunctionHost(hello, { runner: RUNNER, logSink: quiet });
  try {
    return await time(WARM, () => host.invoke({ payload: event }));
  } finally {
    await host.close();
  }
}

async function withStack(run) {
  const stack = await startStack({
    functions: [hello],
    hostOptions: { runner: RUNNER, logSink: quiet },
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

const ms = (value) => `${value.toFixed(2)} ms`;
const times = (value) => `${value.toFixed(2)}x`;
const pass = (ok) => (ok ? "yes" : "NO");

const loadBefore = loadavg()[0];
const floor = await withFloor(async (url) => ({
  latency: await httpLatency(url, "POST", event.toString()),
  perSecond1: (await throughput(url, 1)).perSecond,
  perSecond8: await withCpu(THROUGHPUT + 200, () => throughput(url, 8)),
}));
const viaHost = await hostLatency();
const stack = await withStack(async (running) => {
  const invokeUrl = `${running.invokeUrl}/2015-03-31/functions/hello/invocations`;
  return {
    invokeApi: await httpLatency(invokeUrl, "POST", event.toString()),
    gateway: await httpLatency(`${running.httpUrl}/hello?name=Chris`, "GET"),
    perSecond1: (await throughput(invokeUrl, 1)).perSecond,
    perSecond8: await withCpu(THROUGHPUT + 200, () => throughput(invokeUrl, 8)),
  };
});

console.log(
  `\nMachine: ${cpus().length} cores, Node ${process.version}, load average ${loadBefore.toFixed(2)} before and ` +
    `${loadavg()[0].toFixed(2)} after (other work on the machine skews every number)`,
);
console.log(`\nWarm invoke latency of functions/hello (${WARM} invokes each, runner ${RUNNER})\n`);
const latencyRow = (latency) => ({
  p50: ms(latency.p50),
  p99: ms(latency.p99),
  "p50 over floor": ms(latency.p50 - floor.latency.p50),
  "p99 / floor": times(latency.p99 / floor.latency.p99),
});
console.table({
  "floor: node:http + handler in process": {
    p50: ms(floor.latency.p50),
    p99: ms(floor.latency.p99),
    "p50 over floor": "-",
    "p99 / floor": "-",
  },
  "engine host.invoke() (no HTTP front door)": latencyRow(viaHost),
  "Invoke API (:9000)": latencyRow(stack.invokeApi),
  "HTTP API gateway (:3000)": latencyRow(stack.gateway),
});
console.log(
  `\nThroughput (${THROUGHPUT} invokes, the same client; the stack with its default 4 instances)\n`,
);
console.table({
  "concurrency 1": {
    "floor invokes/s": Math.round(floor.perSecond1),
    "Invoke API invokes/s": Math.round(stack.perSecond1),
    "Invoke API / floor": times(stack.perSecond1 / floor.perSecond1),
  },
  "concurrency 8": {
    "floor invokes/s": Math.round(floor.perSecond8.result.perSecond),
    "Invoke API invokes/s": Math.round(stack.perSecond8.result.perSecond),
    "Invoke API / floor": times(stack.perSecond8.result.perSecond / floor.perSecond8.result.perSecond),
  },
});
console.log("\nCPU per invoke at concurrency 8 (the client thread counts in this process's share)\n");
const cpuRow = (measured) => ({
  "this process": ms(measured.ownCpuMs),
  "runtime processes": ms(measured.childrenCpuMs),
  total: ms(measured.ownCpuMs + measured.childrenCpuMs),
});
console.table({
  "floor: node:http + handler in process": cpuRow(floor.perSecond8),
  "the stack (Invoke API) and its runtimes": cpuRow(stack.perSecond8),
});
// The caller's thread and the runtime processes (the runtime client, the handler, their two Runtime API exchanges)
// are not the stack's code, and a function instance must run in its own process: their CPU alone caps what any stack
// could reach on this machine, one that cost no CPU included.
const { clientCpuMs } = stack.perSecond8.result;
const outsideCpuMs = stack.perSecond8.childrenCpuMs + (clientCpuMs ?? 0);
const bound = (cpus().length * 1000) / outsideCpuMs;
console.log(
  `Bound set by the caller and the runtime processes alone: ${cpus().length} cores / (${ms(clientCpuMs ?? 0)} + ` +
    `${ms(stack.perSecond8.childrenCpuMs)}) = ${Math.round(bound)} invokes/s, ` +
    `${times(bound / floor.perSecond8.result.perSecond)} the floor; the stack's own process took ` +
    `${ms(stack.perSecond8.ownCpuMs - (clientCpuMs ?? 0))} per invoke`,
);
const p50Target = (latency) => {
  const over = latency.p50 - floor.latency.p50;
  return { measured: ms(over), met: pass(over <= TARGETS.p50OverFloorMs) };
};
const p99Target = (latency) => {
  const ratio = latency.p99 / floor.latency.p99;
  return { measured: times(ratio), met: pass(ratio <= TARGETS.p99OverFloorRatio) };
};
const ratio8 = stack.perSecond8.result.perSecond / floor.perSecond8.result.perSecond;
console.log("\nTargets (against the floor of this run)\n");
console.table({
  "Invoke API p50 <= floor + 1 ms": p50Target(stack.invokeApi),
  "HTTP API p50 <= floor + 1 ms": p50Target(stack.gateway),
  "Invoke API p99 <= 3x floor": p99Target(stack.invokeApi),
  "HTTP API p99 <= 3x floor": p99Target(stack.gateway),
  "Invoke API at concurrency 8 >= 0.4x floor": {
    measured: times(ratio8),
    met: pass(ratio8 >= TARGETS.throughputRatioAt8),
  },
});
