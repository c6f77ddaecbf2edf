#!/usr/bin/env node
/**
 * Soak: a minute of mixed invokes of functions/hello at concurrency 8 against the real local stack (the ric runner),
 * through the Invoke API (RequestResponse and Event) and the HTTP API (200, the function's own 400, the gateway's
 * 404). Prints invokes per second, p50/p99 per kind of call, the calls that did not get the answer the load asked
 * for, and the stack's own RSS at the start and the end (the load runs in another process). Never fails on a
 * missed goal: it prints the figures and says whether the goals (no unexpected answers; RSS grows < 20 MB) hold.
 *
 *   node bench/soak.mjs                 (SOAK_SECONDS=60, SOAK_CONCURRENCY=8)
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { findFunction } from "@lambda-images/function-config";
import { startStack } from "../dist/index.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const RSS_GROWTH_GOAL_MB = 20;

const hello = findFunction("hello");
const event = readFileSync(join(hello.dir, "events", "write-up-hello.json"), "utf8");
const quiet = () => {};
const mb = (bytes) => bytes / (1024 * 1024);
const quantile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

console.log(
  `Soak of the local stack: ${SECONDS} s at concurrency ${CONCURRENCY}, ${cpus().length} cores, ` +
    `load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
);
const stack = await startStack({
  functions: [hello],
  hostOptions: { runner: "ric", logSink: quiet },
  invokePort: 0,
  httpPort: 0,
  functionUrlPort: 0,
  log: quiet,
});
try {
  // Warm the instances first, so the start figure is the stack at work, not the stack before its first invoke.
  await Promise.all(
    Array.from({ length: CONCURRENCY }, () =>
      fetch(`${stack.httpUrl}/hello?name=warm`).then((r) => r.text()),
    ),
  );
  globalThis.gc?.();
  const memoryStart = process.memoryUsage();
  const rssStart = memoryStart.rss;
  const started = performance.now();
  const client = fork(new URL("./soak-client.mjs", import.meta.url), [
    JSON.stringify({
      invokeUrl: stack.invokeUrl,
      httpUrl: stack.httpUrl,
      event,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
    }),
  ]);
  const stats = await new Promise((resolve, reject) => {
    client.once("message", resolve);
    client.once("exit", (code) => reject(new Error(`the load process exited ${code} before reporting`)));
  });
  const elapsed = (performance.now() - started) / 1000;
  await stack.settled();
  globalThis.gc?.();
  const memoryEnd = process.memoryUsage();
  const rssEnd = memoryEnd.rss;

  let total = 0;
  let unexpected = 0;
  console.log("| call | count | p50 ms | p99 ms | unexpected answers |");
  console.log("| --- | ---: | ---: | ---: | --- |");
  for (const [kind, entry] of Object.entries(stats)) {
    total += entry.count;
    const wrong = Object.entries(entry.unexpected);
    unexpected += wrong.reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `| ${kind} | ${entry.count} | ${quantile(entry.latencies, 0.5).toFixed(2)} | ${quantile(entry.latencies, 0.99).toFixed(2)} | ${wrong.map(([s, n]) => `${n} x ${s}`).join(", ") || "none"} |`,
    );
  }
  const growth = mb(rssEnd - rssStart);
  console.log(`${total} calls in ${elapsed.toFixed(1)} s: ${(total / elapsed).toFixed(0)} calls/s`);
  console.log(`unexpected answers: ${unexpected} (goal 0: ${unexpected === 0 ? "met" : "not met"})`);
  console.log(
    `stack RSS: ${mb(rssStart).toFixed(1)} MB at the start, ${mb(rssEnd).toFixed(1)} MB at the end, ` +
      `${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB (goal < ${RSS_GROWTH_GOAL_MB} MB: ${growth < RSS_GROWTH_GOAL_MB ? "met" : "not met"})`,
  );
  // What the growth is made of: live JavaScript objects (a leak would show here) or memory V8 and the allocator keep.
  console.log(
    `JS heap used after gc: ${mb(memoryStart.heapUsed).toFixed(1)} -> ${mb(memoryEnd.heapUsed).toFixed(1)} MB; ` +
      `heap total ${mb(memoryStart.heapTotal).toFixed(1)} -> ${mb(memoryEnd.heapTotal).toFixed(1)} MB; ` +
      `external + buffers ${mb(memoryStart.external).toFixed(1)} -> ${mb(memoryEnd.external).toFixed(1)} MB` +
      (globalThis.gc === undefined ? " (run with node --expose-gc for figures after a full gc)" : ""),
  );
} finally {
  await stack.close();
}
