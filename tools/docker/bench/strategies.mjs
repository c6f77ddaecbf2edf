#!/usr/bin/env node
/**
 * Measures hello in the three packaging strategies side by side and writes the figures three ways:
 * docs/strategies.json (the measured data), the generated section of docs/strategies.md (between the bench markers)
 * and docs/strategies.svg.
 *
 * Measured per strategy: the bytes and layers our Dockerfiles add over the public base (uncompressed, and gzip-
 * compressed as a push sends them), the cold build of our layers (no layer cache; the shared base image included,
 * split into shared base and function layer), cached and unchanged rebuilds (medians), container cold start to the
 * first answered invoke (median) and warm invoke latency; and, labelled as depending on the base, the size of the
 * public base as present here and of the whole image. The machine's load average is sampled throughout and written
 * next to the figures. The bench has no targets: it prints what it measured and fails only when a measurement
 * cannot be made (no engine, a build that fails, an invoke that errors).
 *
 *   node bench/strategies.mjs [--skip-cold] [--runs N] [--warm N] [--builds N] [--no-write]
 *   node bench/strategies.mjs --render-only     # regenerate the doc section and the chart from docs/strategies.json
 *   node bench/strategies.mjs --starts-only     # measure the starts again on the images built before (minutes)
 *
 * Starts are measured in turns (aws-base, os-only, non-aws, aws-base, ...) after every build, so whatever else
 * loads the machine weighs on the three alike; builds are measured one strategy after another.
 *
 * Needs a Docker engine and hello's bundle (pnpm build). Base overrides come from IMAGE_BASE_OVERRIDES; figures
 * measured on the stand-in bases (docs/stand-ins.md) are labelled as such wherever they are shown.
 */
import { execFile } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs, promisify } from "node:util";
import { createGzip } from "node:zlib";
import {
  findFunction,
  findWorkspaceRoot,
  readBaseImageRecord,
  STRATEGIES,
} from "@lambda-images/function-config";
import { createFunctionHost } from "@lambda-images/local-stack";

const { values } = parseArgs({
  options: {
    "skip-cold": { type: "boolean" },
    runs: { type: "string", default: "5" },
    warm: { type: "string", default: "100" },
    builds: { type: "string", default: "3" },
    "no-write": { type: "boolean" },
    "render-only": { type: "boolean" },
    "starts-only": { type: "boolean" },
  },
});
const root = findWorkspaceRoot();
const dataFile = join(root, "docs", "strategies.json");
const log = (line) => console.error(`[bench] ${line}`);

// Loaded when needed, so a long run renders with the report code as it is when the run ends.
const writeReport = async (results) => (await import("./report.mjs")).writeReport(root, results);

if (values["render-only"]) {
  const results = JSON.parse(readFileSync(dataFile, "utf8"));
  console.log(await writeReport(results));
  log(`regenerated docs/strategies.md's bench section and docs/strategies.svg from ${dataFile}`);
  process.exit(0);
}

const positive = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number of at least 1 (got "${values[name]}")`);
    process.exit(2);
  }
  return n;
};
const RUNS = positive("runs");
const WARM = positive("warm");
const BUILDS = positive("builds");

const { checkEngine, ImageBuilder, parseBaseOverrides } = await import("../dist/index.js");
const { dockerOk } = await import("@lambda-images/docker-cli");

const hello = findFunction("hello", root);
const overrides = parseBaseOverrides(process.env.IMAGE_BASE_OVERRIDES);
const engine = await checkEngine();
const event = readFileSync(join(hello.dir, "events", "write-up-hello.json"), "utf8");

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

// The 1-minute load average, sampled every 5 s while measuring: the machine is shared, so every figure is printed
// with the load it was measured under.
const loadSamples = [loadavg()[0]];
const sampler = setInterval(() => loadSamples.push(loadavg()[0]), 5_000);
sampler.unref();
const loadNow = () => Number(loadavg()[0].toFixed(2));

async function layers(image) {
  return JSON.parse(await dockerOk(["image", "inspect", "--format", "{{json .RootFS.Layers}}", image]));
}
async function size(image) {
  return Number(await dockerOk(["image", "inspect", "--format", "{{.Size}}", image]));
}

/**
 * Each layer's size gzip-compressed (level 6, as docker push compresses layers), bottom layer first: the image is
 * saved to a temporary folder, unpacked, and each layer's tar compressed in turn.
 */
async function compressedLayers(image) {
  const work = mkdtempSync(join(tmpdir(), "strategies-bench-"));
  try {
    const archive = join(work, "image.tar");
    await dockerOk(["save", "-o", archive, image]);
    await promisify(execFile)("tar", ["-xf", archive, "-C", work]);
    rmSync(archive);
    const [manifest] = JSON.parse(readFileSync(join(work, "manifest.json"), "utf8"));
    const sizes = [];
    for (const layer of manifest.Layers) {
      let bytes = 0;
      await pipeline(
        createReadStream(join(work, layer)),
        createGzip({ level: 6 }),
        new Writable({
          write(chunk, _encoding, done) {
            bytes += chunk.length;
            done();
          },
        }),
      );
      sizes.push(bytes);
    }
    return sizes;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The public base (or its override) at the bottom of a strategy's chain of bases, and the public name it is for. */
function publicBase(record) {
  const base = record.bases.BASE_IMAGE;
  if (base?.via !== "shared-image") return { used: base?.used, name: base?.default };
  const shared = readBaseImageRecord(
    join(root, "images", record.strategy === "os-only" ? "node-os-only" : "node-debian-slim"),
  );
  return { used: shared.bases.BASE_IMAGE?.used, name: shared.bases.BASE_IMAGE?.default };
}

/** One build of hello in a strategy; the builder's "built ... in N s" lines give each image's own build time. */
async function timeBuild(strategy, force) {
  const built = {};
  const builder = new ImageBuilder({
    root,
    overrides,
    force,
    log: (line) => {
      const match = /^(\S+): built \S+ in ([\d.]+) s$/.exec(line);
      if (match) built[match[1]] = Number(match[2]);
    },
  });
  const started = performance.now();
  const record = await builder.buildFunctionImage(hello, strategy);
  return { record, seconds: (performance.now() - started) / 1000, built };
}

async function repeatBuild(strategy, force) {
  const runs = [];
  let record;
  for (let i = 0; i < BUILDS; i++) {
    const build = await timeBuild(strategy, force);
    runs.push(Number(build.seconds.toFixed(3)));
    record = build.record;
  }
  return { record, runs, median: median(runs) };
}

/** A cold start through the local stack's container runner (the real Runtime API): its host and the time taken. */
async function coldStart(image) {
  const host = createFunctionHost(hello, { runner: "container", image, maxInstances: 1, logSink: () => {} });
  const started = performance.now();
  const first = await host.invoke({ payload: Buffer.from(event) });
  const answeredMs = performance.now() - started;
  if (first.kind !== "response") {
    await host.close();
    throw new Error(`${image}: ${JSON.stringify(first)}`);
  }
  return { host, answeredMs };
}

/**
 * Cold and warm starts of every strategy, measured in turns (aws-base, os-only, non-aws, aws-base, ...) after all
 * builds, so that whatever else loads the machine weighs on the three alike and their ratios mean something.
 */
let startsLoad;
async function measureStarts(imageIds) {
  const coldStarts = Object.fromEntries(STRATEGIES.map((strategy) => [strategy, []]));
  const warm = Object.fromEntries(STRATEGIES.map((strategy) => [strategy, []]));
  const loads = [loadNow()];
  for (let run = 0; run < RUNS; run++) {
    for (const strategy of STRATEGIES) {
      const { host, answeredMs } = await coldStart(imageIds[strategy]);
      coldStarts[strategy].push(answeredMs);
      if (run === 0) {
        for (let i = 0; i < WARM; i++) {
          const started = performance.now();
          await host.invoke({ payload: Buffer.from(event) });
          warm[strategy].push(performance.now() - started);
        }
      }
      await host.close();
    }
    loads.push(loadNow());
    log(`starts: round ${run + 1} of ${RUNS} (load ${loadNow()})`);
  }
  startsLoad = { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) };
  return Object.fromEntries(
    STRATEGIES.map((strategy) => {
      const runs = warm[strategy].slice(Math.min(5, warm[strategy].length - 1));
      return [
        strategy,
        {
          coldStart: {
            runs: coldStarts[strategy].map((x) => Number(x.toFixed(1))),
            medianMs: median(coldStarts[strategy]),
          },
          warm: { invokes: runs.length, p50Ms: median(runs), p90Ms: percentile(runs, 90) },
        },
      ];
    }),
  );
}

function summarise(strategies, startedAt, previous) {
  return {
    ...previous,
    measuredAt: startedAt.toISOString(),
    runtime: hello.runtime,
    cores: cpus().length,
    docker: { version: engine.serverVersion, builder: engine.buildx ? "BuildKit" : "classic builder" },
    platform: engine.platform,
    load: {
      samples: loadSamples.length,
      min: Math.min(...loadSamples),
      median: median(loadSamples),
      max: Math.max(...loadSamples),
    },
    ...(startsLoad ? { startsLoad } : {}),
    options: { runs: RUNS, warm: WARM, builds: BUILDS, skipCold: Boolean(values["skip-cold"]) },
    strategies,
  };
}

async function save(results) {
  if (values["no-write"]) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  writeFileSync(dataFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${dataFile}`);
  console.log(await writeReport(results));
  log("wrote the bench section of docs/strategies.md and docs/strategies.svg");
}

const startedAt = new Date();
if (values["starts-only"]) {
  // Starts again, on the images built before (the figures of the builds and sizes stay as they were measured).
  const previous = JSON.parse(readFileSync(dataFile, "utf8"));
  const imageIds = Object.fromEntries(STRATEGIES.map((strategy) => [strategy, `${hello.name}:${strategy}`]));
  const starts = await measureStarts(imageIds);
  const strategies = Object.fromEntries(
    STRATEGIES.map((strategy) => [strategy, { ...previous.strategies[strategy], ...starts[strategy] }]),
  );
  clearInterval(sampler);
  loadSamples.push(loadavg()[0]);
  const results = summarise(strategies, new Date(previous.measuredAt), previous);
  await save({ ...results, load: previous.load, startsMeasuredAt: startedAt.toISOString() });
  process.exit(0);
}

const strategies = {};
const imageIds = {};
for (const strategy of STRATEGIES) {
  log(`${strategy}: measuring (load ${loadNow()})`);
  const row = { loadBefore: loadNow() };
  if (!values["skip-cold"]) {
    const cold = await timeBuild(strategy, "no-cache");
    const functionImage = `${hello.name}:${strategy}`;
    const functionSeconds = cold.built[functionImage];
    row.coldBuild = {
      seconds: Number(cold.seconds.toFixed(3)),
      functionLayerSeconds: functionSeconds ?? null,
      sharedBaseSeconds:
        Object.entries(cold.built)
          .filter(([image]) => image !== functionImage)
          .reduce((sum, [, seconds]) => sum + seconds, 0) || null,
    };
    log(`${strategy}: cold build ${row.coldBuild.seconds.toFixed(1)} s (load ${loadNow()})`);
  }
  const cached = await repeatBuild(strategy, "cached");
  row.cachedBuild = { runs: cached.runs, median: cached.median };
  const unchanged = await repeatBuild(strategy, undefined);
  row.unchangedBuild = { runs: unchanged.runs, median: unchanged.median };
  const record = unchanged.record;
  row.image = record.image;
  row.nodeVersion = await dockerOk(["run", "--rm", "--entrypoint", "node", record.imageId, "--version"]);
  row.sizeBytes = await size(record.imageId);
  const base = publicBase(record);
  row.publicBase = base.name;
  row.baseUsed = base.used;
  row.standIn = base.used !== base.name && overrides.get(base.name) === base.used;
  row.baseSizeBytes = await size(base.used);
  row.addedBytes = row.sizeBytes - row.baseSizeBytes;
  const baseLayers = (await layers(base.used)).length;
  const imageLayers = await layers(record.imageId);
  row.addedLayers = imageLayers.length - baseLayers;
  log(`${strategy}: compressing the image's layers (load ${loadNow()})`);
  const gz = await compressedLayers(record.imageId);
  if (gz.length !== imageLayers.length)
    throw new Error(
      `docker save gave ${gz.length} layers for ${record.image}, its RootFS has ${imageLayers.length}`,
    );
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  row.gzip = {
    imageBytes: sum(gz),
    baseBytes: sum(gz.slice(0, baseLayers)),
    addedBytes: sum(gz.slice(baseLayers)),
  };

  row.loadAfter = loadNow();
  strategies[strategy] = row;
  imageIds[strategy] = record.imageId;
  log(`${strategy}: ${JSON.stringify(row)}`);
}
const starts = await measureStarts(imageIds);
for (const strategy of STRATEGIES) Object.assign(strategies[strategy], starts[strategy]);
clearInterval(sampler);
loadSamples.push(loadavg()[0]);

await save(summarise(strategies, startedAt, {}));
