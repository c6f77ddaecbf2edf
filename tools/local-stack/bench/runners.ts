/**
 * Measures the engine with each runner side by side (the real aws-lambda-ric against the pure-JS fallback), with
 * a direct in-process call of the same handler as the floor: cold start, warm invoke latency, throughput with
 * concurrent invokes, memory. Run with `pnpm --filter @lambda-images/local-stack bench` (after a build; Node.js 24 runs this TypeScript as it is).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type FunctionDefinition, loadFunction } from "@lambda-images/function-config";
import { createFunctionHost, type InvokeOutcome, type RunnerKind } from "../dist/index.js";

const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 8);
const WARM_INVOKES = Number(process.env.BENCH_WARM_INVOKES ?? 300);
const CONCURRENT_INVOKES = Number(process.env.BENCH_CONCURRENT_INVOKES ?? 400);
const CONCURRENCY = 8;
const INSTANCES = 2;

const HANDLER = `export const handler = async (event, context) => ({ n: event.n, id: context.awsRequestId });\n`;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

function benchFunction(): { definition: FunctionDefinition; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "local-stack-bench-"));
  const dir = join(root, "bench");
  mkdirSync(join(dir, "dist"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench", version: "1.0.0", lambda: {} }));
  writeFileSync(join(dir, "dist", "index.mjs"), HANDLER);
  return { definition: loadFunction(dir), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function payload(n: number): Buffer {
  return Buffer.from(JSON.stringify({ n }));
}

function check(outcome: InvokeOutcome): Extract<InvokeOutcome, { kind: "response" }> {
  if (outcome.kind !== "response" || outcome.functionError !== undefined) {
    throw new Error(`The benchmark function failed: ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

interface RunnerNumbers {
  coldMs: number;
  initMs: number;
  warmMedianMs: number;
  warmP95Ms: number;
  throughput: number;
  memoryMb: number;
}

async function measure(runner: RunnerKind, definition: FunctionDefinition): Promise<RunnerNumbers> {
  const quiet = { runner, logSink: () => {} } as const;
  const cold: number[] = [];
  const init: number[] = [];
  for (let index = 0; index < COLD_STARTS; index++) {
    const host = createFunctionHost(definition, quiet);
    const started = performance.now();
    const outcome = check(await host.invoke({ payload: payload(index) }));
    cold.push(performance.now() - started);
    init.push(outcome.report.initDurationMs ?? Number.NaN);
    await host.close();
  }

  const warmHost = createFunctionHost(definition, { ...quiet, maxInstances: 1 });
  for (let index = 0; index < 20; index++) check(await warmHost.invoke({ payload: payload(index) }));
  const warm: number[] = [];
  let memoryMb = 0;
  for (let index = 0; index < WARM_INVOKES; index++) {
    const started = performance.now();
    const outcome = check(await warmHost.invoke({ payload: payload(index) }));
    warm.push(performance.now() - started);
    memoryMb = outcome.report.maxMemoryUsedMb;
  }
  await warmHost.close();

  const busyHost = createFunctionHost(definition, {
    ...quiet,
    maxInstances: INSTANCES,
    maxQueue: CONCURRENT_INVOKES,
  });
  await Promise.all(
    Array.from({ length: INSTANCES }, (_, index) => busyHost.invoke({ payload: payload(index) })),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CONCURRENT_INVOKES) {
        next++;
        check(await busyHost.invoke({ payload: payload(next) }));
      }
    }),
  );
  const throughput = CONCURRENT_INVOKES / ((performance.now() - started) / 1000);
  await busyHost.close();

  return {
    coldMs: quantile(cold, 0.5),
    initMs: quantile(init, 0.5),
    warmMedianMs: quantile(warm, 0.5),
    warmP95Ms: quantile(warm, 0.95),
    throughput,
    memoryMb,
  };
}

async function directCallMs(definition: FunctionDefinition): Promise<number> {
  const module = (await import(pathToFileURL(definition.bundle).href)) as { handler: Handler };
  const times: number[] = [];
  for (let index = 0; index < WARM_INVOKES; index++) {
    const started = performance.now();
    await module.handler({ n: index }, { awsRequestId: String(index) });
    times.push(performance.now() - started);
  }
  return quantile(times, 0.5);
}

function row(label: string, ric: number, fallback: number, unit: string, digits = 2): string {
  const cell = (value: number) => `${value.toFixed(digits)} ${unit}`.padStart(14);
  return `${label.padEnd(34)}${cell(ric)}${cell(fallback)}${`${(fallback / ric).toFixed(2)}x`.padStart(14)}`;
}

async function main(): Promise<void> {
  const { definition, cleanup } = benchFunction();
  try {
    const ric = await measure("ric", definition);
    const fallback = await measure("fallback", definition);
    const direct = await directCallMs(definition);
    console.log(
      `Engine benchmark: ${COLD_STARTS} cold starts, ${WARM_INVOKES} sequential warm invokes, ` +
        `${CONCURRENT_INVOKES} invokes ${CONCURRENCY} at a time on ${INSTANCES} instances (node ${process.version}).`,
    );
    console.log(
      `${"".padEnd(34)}${"ric".padStart(14)}${"fallback".padStart(14)}${"fallback/ric".padStart(14)}`,
    );
    console.log(row("cold start, invoke to answer (p50)", ric.coldMs, fallback.coldMs, "ms", 1));
    console.log(row("Init Duration (p50)", ric.initMs, fallback.initMs, "ms", 1));
    console.log(row("warm invoke (p50)", ric.warmMedianMs, fallback.warmMedianMs, "ms", 3));
    console.log(row("warm invoke (p95)", ric.warmP95Ms, fallback.warmP95Ms, "ms", 3));
    console.log(row("throughput", ric.throughput, fallback.throughput, "inv/s", 0));
    console.log(row("Max Memory Used", ric.memoryMb, fallback.memoryMb, "MB", 0));
    console.log(
      `Direct in-process call of the same handler (p50): ${direct.toFixed(4)} ms, so a warm invoke through the ` +
        `engine (process boundary, Runtime API, logs, REPORT) adds ${(ric.warmMedianMs - direct).toFixed(3)} ms ` +
        `with ric and ${(fallback.warmMedianMs - direct).toFixed(3)} ms with fallback.`,
    );
  } finally {
    cleanup();
  }
}

await main();
