#!/usr/bin/env node
/**
 * Cold start of functions/hello (bundled) against a bare `node -e ''` start of the same Node.js, in one run:
 *  1. the ric runner's Init Duration (runtime spawned to its first /next), without and with the compile cache
 *     lambda-build fills at build time, plus two rows that leave out one of the flags Lambda starts node with, to
 *     show what each costs (they are not how Lambda runs);
 *  2. a breakdown: node start (node with the runtime's flags, spawned and exited), handler import (timed inside a
 *     fresh node with the same flags and cache), and the rest (the runtime client: its module, native addon, the
 *     Runtime API round trip), which is Init Duration minus the two;
 *  3. with Docker, each strategy's image through the container runner, with the bare `node -e ''` start measured
 *     inside that image (a node in the container spawns it, so docker's own start is not counted) as the floor,
 *     and docker's container start (from spawning `docker run` to the start of the node in the container, read
 *     from that node's performance.timeOrigin).
 * Medians of BENCH_COLD runs (default 10; images BENCH_COLD_IMAGES, default 5), interleaved so load drifts hit
 * every row alike (BENCH_COLD_IMAGES=0 skips the images). Prints the machine's load before and after; never fails on a missed target.
 * Run after a build (and `pnpm image` for the image rows): node bench/cold-start.mjs
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  COMPILE_CACHE_ENV,
  compileCacheDir,
  findFunction,
  managedRuntimeNodeFlags,
  readImageRecord,
  SOURCE_MAP_NODE_OPTIONS,
  STRATEGIES,
} from "@lambda-images/function-config";
import { nodeBinary } from "@lambda-images/node-runtimes";
import { spawnRuntimeProcess } from "../dist/engine/runners/process.js";
import { createRicRunner } from "../dist/engine/runners/ric.js";
import { createContainerRunner, createFunctionHost } from "../dist/index.js";

const RUNS = Number(process.env.BENCH_COLD ?? 10);
const IMAGE_RUNS = Number(process.env.BENCH_COLD_IMAGES ?? 5);
const TARGET_RATIO = 1.3;

const hello = findFunction("hello");
const node = nodeBinary(hello.runtime);
const flags = [...managedRuntimeNodeFlags(hello.memorySize), SOURCE_MAP_NODE_OPTIONS];
const cacheDir = compileCacheDir(hello.dir);
const event = readFileSync(join(hello.dir, "events", "write-up-hello.json"));
const quiet = () => {};

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
};
const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : "-");
const times = (value, floor) => (Number.isFinite(value / floor) ? `${(value / floor).toFixed(2)}x` : "-");

/** Wall time of one spawned command, to its exit. */
function spawnMs(command, args) {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: "ignore" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}`);
  return performance.now() - started;
}

/** Importing the bundle in a fresh node with the runtime's flags, timed inside it. */
function handlerImportMs(env) {
  const url = JSON.stringify(pathToFileURL(hello.bundle).href);
  const script = `const t = performance.now(); await import(${url}); console.log(performance.now() - t);`;
  const output = execFileSync(node, [...flags, "--input-type=module", "-e", script], {
    cwd: hello.distDir,
    env: { ...process.env, ...hello.environment, ...env },
    encoding: "utf8",
  });
  return Number(output.trim().split("\n").at(-1));
}

/** The ric runner with other node flags: only for the rows that show what a flag costs. */
function ricWithFlags(nodeFlags) {
  const ric = createRicRunner();
  return {
    ...ric,
    spawn: ({ definition, environment }) =>
      spawnRuntimeProcess(
        node,
        [...nodeFlags, join(ric.runtimeDir, "index.mjs")],
        environment,
        definition.distDir,
        definition.memorySize,
      ),
  };
}

/** One fresh host, one invoke: the REPORT line's Init Duration. */
async function initDuration(definition, runner) {
  const host = createFunctionHost(definition, { runner, logSink: quiet });
  try {
    const outcome = await host.invoke({ payload: event });
    if (outcome.kind !== "response" || outcome.functionError !== undefined) {
      throw new Error(`cold start failed: ${String(outcome.payload ?? outcome.kind).slice(0, 500)}`);
    }
    return outcome.report.initDurationMs ?? Number.NaN;
  } finally {
    await host.close();
  }
}

const withEnv = (env) => ({ ...hello, environment: { ...hello.environment, ...env } });
/**
 * NODE_COMPILE_CACHE set but empty turns the cache off (and the runner leaves a variable the function sets alone).
 * Not an empty folder: a node that exits writes its entries there, and the next run would load them.
 */
const noCache = { [COMPILE_CACHE_ENV]: "" };
const hasCache = existsSync(cacheDir);

const ricRows = {
  "ric, no compile cache": { definition: withEnv(noCache), runner: "ric", importEnv: noCache },
  ...(hasCache
    ? {
        "ric, compile cache": {
          definition: hello,
          runner: "ric",
          importEnv: { [COMPILE_CACHE_ENV]: cacheDir },
        },
      }
    : {}),
  "ric, no cache, without --expose-gc (not Lambda)": {
    definition: withEnv(noCache),
    runner: ricWithFlags(flags.filter((flag) => flag !== "--expose-gc")),
  },
  "ric, no cache, without --enable-source-maps (not Lambda)": {
    definition: withEnv(noCache),
    runner: ricWithFlags(flags.filter((flag) => flag !== SOURCE_MAP_NODE_OPTIONS)),
  },
};

function dockerAvailable() {
  try {
    execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], {
      stdio: "ignore",
      timeout: 20_000,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs node with `args` inside `image` (its own node, from PATH or the image's Lambda layout), as the container
 * runner runs a container (`--network host`), and returns its output.
 */
function nodeInImage(image, args) {
  return execFileSync(
    "docker",
    [
      "run",
      "--rm",
      "--network",
      "host",
      "--entrypoint",
      "sh",
      image,
      "-c",
      'exec "$(command -v node || echo /var/lang/bin/node)" "$@"',
      "node",
      ...args,
    ],
    { encoding: "utf8" },
  ).trim();
}

/** Inside the image: median bare `node -e ''` start and the bundle's import time with the image's own flags. */
function insideImage(image) {
  const script = `
    const { spawnSync, execFileSync } = require("node:child_process");
    const runs = ${RUNS};
    const bare = [];
    for (let i = 0; i < runs; i++) { const t = performance.now(); spawnSync(process.execPath, ["-e", ""]); bare.push(performance.now() - t); }
    const imp = [];
    const flags = ${JSON.stringify(flags)};
    for (let i = 0; i < runs; i++) imp.push(Number(execFileSync(process.execPath, [...flags, "--input-type=module", "-e",
      "const t = performance.now(); await import('/var/task/index.mjs'); console.log(performance.now() - t)"],
      { cwd: "/var/task", env: { ...process.env, ...${JSON.stringify(hello.environment)} }, encoding: "utf8" }).trim().split("\\n").at(-1)));
    const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(JSON.stringify({ bare: med(bare), handlerImport: med(imp), cache: process.env.${COMPILE_CACHE_ENV} ?? null }));
  `;
  return JSON.parse(nodeInImage(image, ["-e", script]).split("\n").at(-1));
}

/**
 * Docker's part of a start: from spawning `docker run` here to the moment the node in the container starts (its
 * own performance.timeOrigin; host and container read the same clock). Not counted: node's start, the output's
 * way back through docker, the container's removal. `--network host`, as the container runner runs it (a network
 * namespace of its own costs time too).
 */
function containerStartMs(image) {
  const started = performance.timeOrigin + performance.now();
  return Number(nodeInImage(image, ["-p", "performance.timeOrigin"])) - started;
}

async function images() {
  if (IMAGE_RUNS === 0) return { skipped: "BENCH_COLD_IMAGES=0: image rows skipped." };
  if (!dockerAvailable())
    return { skipped: "Docker is not available here (docker version failed): image rows skipped." };
  const rows = {};
  for (const strategy of STRATEGIES) {
    let record;
    try {
      record = readImageRecord(hello, strategy);
    } catch (error) {
      rows[strategy] = { skipped: `no ${strategy} image recorded (${error.message.split("\n")[0]})` };
      continue;
    }
    const image = record.imageId;
    const inside = insideImage(image);
    const init = [];
    const dockerRun = [];
    let failed = 0;
    for (let index = 0; index < IMAGE_RUNS; index++) {
      dockerRun.push(containerStartMs(image));
      // A cold start past the function's timeout on a loaded machine is a missing sample, not a failed bench.
      try {
        init.push(await initDuration(hello, createContainerRunner({ strategy })));
      } catch {
        failed++;
        init.push(Number.NaN);
      }
    }
    if (failed > 0)
      console.log(`${strategy}: ${failed} of ${IMAGE_RUNS} cold starts failed (left out of the median)`);
    rows[strategy] = {
      image: record.contentTag,
      inside,
      init: median(init),
      containerStart: median(dockerRun),
    };
  }
  return { rows };
}

const loadBefore = loadavg();
const bare = [];
const nodeStart = { cache: [], noCache: [] };
const imports = { cache: [], noCache: [] };
const inits = Object.fromEntries(Object.keys(ricRows).map((name) => [name, []]));
for (let round = 0; round < RUNS; round++) {
  bare.push(spawnMs(node, ["-e", ""]));
  nodeStart.noCache.push(spawnMs(node, [...flags, "-e", ""]));
  imports.noCache.push(handlerImportMs(noCache));
  if (hasCache) imports.cache.push(handlerImportMs({ [COMPILE_CACHE_ENV]: cacheDir }));
  for (const [name, row] of Object.entries(ricRows))
    inits[name].push(await initDuration(row.definition, row.runner));
}
const imageResults = await images();
const loadAfter = loadavg();

const floor = median(bare);
const startWithFlags = median(nodeStart.noCache);
console.log(
  `\nMachine: ${cpus().length} cores, load average (1/5/15 min) ${loadBefore.map((v) => v.toFixed(2)).join("/")} ` +
    `before and ${loadAfter.map((v) => v.toFixed(2)).join("/")} after; bench on Node ${process.version}, ` +
    `functions on ${node} (${execFileSync(node, ["-v"], { encoding: "utf8" }).trim()})`,
);
console.log(`\nCold start of functions/hello (bundled), runner ric: Init Duration, median of ${RUNS}\n`);
const table = { "bare node -e '' (floor)": { "Init Duration": ms(floor), "/ bare node": "1.00x" } };
for (const [name, values] of Object.entries(inits)) {
  table[name] = { "Init Duration": ms(median(values)), "/ bare node": times(median(values), floor) };
}
console.table(table);
if (!hasCache) console.log(`(no compile cache at ${cacheDir}: build hello with lambda-build to fill it)`);

console.log("\nBreakdown (ric runner; the runtime client row is Init Duration minus the other two)\n");
const breakdown = {};
for (const [label, key, name] of [
  ["no compile cache", "noCache", "ric, no compile cache"],
  ["compile cache", "cache", "ric, compile cache"],
]) {
  if (inits[name] === undefined) continue;
  const init = median(inits[name]);
  const handler = median(imports[key]);
  breakdown[label] = {
    "node start (runtime flags)": ms(startWithFlags),
    "handler import": ms(handler),
    "runtime client + Runtime API": ms(init - startWithFlags - handler),
    "Init Duration": ms(init),
  };
}
console.table(breakdown);
// Node's start with the runtime's flags and the handler's own import (its code and the Node.js built-ins it loads)
// happen in any runtime that starts the function the way Lambda does; no stack can start it in less.
const handlerImport = median(imports.noCache);
const importBound = (startWithFlags + handlerImport) / floor;
console.log(
  `Bound set by node's start and the handler's own import alone: (${ms(startWithFlags)} + ${ms(handlerImport)}) / ` +
    `${ms(floor)} = ${importBound.toFixed(2)}x bare node (target <= ${TARGET_RATIO}x)`,
);

if (imageResults.skipped !== undefined) {
  console.log(`\n${imageResults.skipped}`);
} else {
  console.log(
    `\nImages through the container runner: Init Duration (median of ${IMAGE_RUNS}) against bare node inside the ` +
      "same image (spawned by a node in the container: docker's own start not counted)\n",
  );
  const rows = {};
  for (const [strategy, result] of Object.entries(imageResults.rows)) {
    if (result.skipped !== undefined) {
      rows[strategy] = { note: result.skipped };
      continue;
    }
    const { containerStart } = result;
    rows[strategy] = {
      "Init Duration": ms(result.init),
      "bare node in image": ms(result.inside.bare),
      "/ bare node": times(result.init, result.inside.bare),
      "container start": ms(containerStart),
      "handler import": ms(result.inside.handlerImport),
      "runtime client + rest": ms(
        result.init - containerStart - result.inside.bare - result.inside.handlerImport,
      ),
      "compile cache": result.inside.cache ?? "none",
    };
  }
  console.table(rows);
}

console.log(`\nTarget: Init Duration <= ${TARGET_RATIO}x bare node (reported, not enforced)\n`);
const targets = {};
for (const [name, values] of Object.entries(inits)) {
  if (name.includes("not Lambda")) continue;
  const ratio = median(values) / floor;
  targets[name] = { ratio: times(median(values), floor), met: ratio <= TARGET_RATIO ? "yes" : "NO" };
}
for (const [strategy, result] of Object.entries(imageResults.rows ?? {})) {
  if (result.skipped !== undefined) continue;
  const ratio = result.init / result.inside.bare;
  targets[`${strategy} image`] = {
    ratio: times(result.init, result.inside.bare),
    met: ratio <= TARGET_RATIO ? "yes" : "NO",
  };
}
console.table(targets);
