#!/usr/bin/env node
/**
 * Measures the ways of running hello locally, side by side, in each strategy: the host's aws-lambda-ric through
 * the local stack (the baseline, no container), the production image through the local stack's container runner
 * (`docker run --network host`), and the local-only image on `docker run -p PORT:8080` with this project's
 * emulator inside. Cold start is from the start of the run (docker run, or the host's first invoke) to the first
 * answer; warm latency is one invoke on a warm instance. Ratios are against the host baseline. Also prints what
 * the emulator adds to an image.
 *
 *   node bench/local-runs.mjs [--runs N] [--warm N]
 *
 * Needs a Docker engine, hello's bundle (pnpm build) and the local-stack build (its emulator bundle).
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { findFunction, findWorkspaceRoot, STRATEGIES } from "@lambda-images/function-config";
import { createFunctionHost } from "@lambda-images/local-stack";
import {
  buildLocalImage,
  checkEngine,
  ImageBuilder,
  imageEnvironment,
  parseBaseOverrides,
  startContainer,
} from "../dist/index.js";
import { firstAnswer, freePort, postInvoke } from "../dist/testing/invoke-http.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, warm: { type: "string", default: "100" } },
});
const RUNS = Number(values.runs);
const WARM = Number(values.warm);

const root = findWorkspaceRoot();
const hello = findFunction("hello", root);
const engine = await checkEngine();
const event = readFileSync(join(hello.dir, "events", "write-up-hello.json"));
const log = (line) => console.error(`[bench] ${line}`);
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const quiet = () => {};

/** Through the local stack's engine with `runner` (and `strategy` for the container runner). */
async function measureHost(options) {
  const cold = [];
  for (let run = 0; run < RUNS; run++) {
    const host = createFunctionHost(hello, { ...options, maxInstances: 1, logSink: quiet });
    const started = performance.now();
    const outcome = await host.invoke({ payload: event });
    cold.push(performance.now() - started);
    if (outcome.kind !== "response" || outcome.functionError)
      throw new Error(`hello failed: ${outcome.payload}`);
    if (run === RUNS - 1) {
      const warm = [];
      for (let i = 0; i < WARM; i++) {
        const t = performance.now();
        await host.invoke({ payload: event });
        warm.push(performance.now() - t);
      }
      await host.close();
      return { cold: median(cold), warm: median(warm) };
    }
    await host.close();
  }
  throw new Error("no runs");
}

/** The local image on -p PORT:8080. */
async function measurePublished(image) {
  const cold = [];
  let warm = [];
  for (let run = 0; run < RUNS; run++) {
    const port = await freePort();
    const started = performance.now();
    const container = await startContainer({
      image,
      environment: imageEnvironment(hello),
      publishPort: port,
    });
    try {
      const { answer, ms } = await firstAnswer(port, event, started);
      if (answer.status !== 200 || answer.functionError) throw new Error(`hello failed: ${answer.body}`);
      cold.push(ms);
      if (run === RUNS - 1) {
        warm = [];
        for (let i = 0; i < WARM; i++) {
          const t = performance.now();
          await postInvoke(port, event);
          warm.push(performance.now() - t);
        }
      }
    } finally {
      await container.stop();
    }
  }
  return { cold: median(cold), warm: median(warm) };
}

const builder = new ImageBuilder({
  root,
  overrides: parseBaseOverrides(process.env.IMAGE_BASE_OVERRIDES),
  log,
});
log(`host baseline: ric runner, ${RUNS} cold starts, ${WARM} warm invokes`);
const baseline = await measureHost({ runner: "ric" });
const rows = [];
for (const strategy of STRATEGIES) {
  const { production, local } = await buildLocalImage(builder, hello, strategy, root);
  log(`${strategy}: container runner`);
  const runner = await measureHost({ runner: "container", strategy });
  log(`${strategy}: ${local.image} on -p PORT:8080`);
  const published = await measurePublished(local.imageId);
  rows.push({ strategy, runner, published, added: local.sizeBytes - production.sizeBytes });
}

const ms = (value) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const ratio = (value, base) => `${(value / base).toFixed(2)}x`;
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (load average ` +
    `${loadavg()[0].toFixed(1)}), Docker ${engine.serverVersion}, hello, write-up event; medians of ${RUNS} cold ` +
    `starts and ${WARM} warm invokes. Baseline: the host's aws-lambda-ric through the local stack ` +
    `(cold ${ms(baseline.cold)}, warm ${ms(baseline.warm)}).`,
  "",
  "| strategy | cold: container runner | cold: -p 8080 local image | warm: container runner | warm: -p 8080 local image | emulator adds |",
  "| -------- | ---------------------- | ------------------------- | ---------------------- | ------------------------- | ------------- |",
  ...rows.map(
    (row) =>
      `| ${row.strategy} | ${ms(row.runner.cold)} (${ratio(row.runner.cold, baseline.cold)}) | ` +
      `${ms(row.published.cold)} (${ratio(row.published.cold, baseline.cold)}) | ` +
      `${ms(row.runner.warm)} (${ratio(row.runner.warm, baseline.warm)}) | ` +
      `${ms(row.published.warm)} (${ratio(row.published.warm, baseline.warm)}) | ` +
      `${(row.added / 1024).toFixed(0)} KiB |`,
  ),
];
console.log(lines.join("\n"));
