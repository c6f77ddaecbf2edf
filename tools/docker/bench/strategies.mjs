#!/usr/bin/env node
/**
 * Measures hello in the three packaging strategies side by side: image size, bytes and layers added over the
 * public base, cold build (no layer cache, shared base included), cached build (docker's layer cache), unchanged
 * build (content tag found), container cold start to the first answered invoke, and warm invoke latency.
 * Prints the table with ratios against aws-base and writes it into docs/strategies.md.
 *
 *   node bench/strategies.mjs [--skip-cold] [--runs N] [--warm N] [--no-write]
 *
 * Needs a Docker engine and hello's bundle (pnpm build). Base overrides come from IMAGE_BASE_OVERRIDES; figures
 * measured on stand-in bases are labelled as such.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { findFunction, findWorkspaceRoot, STRATEGIES } from "@lambda-images/function-config";
import {
  checkEngine,
  dockerOk,
  ImageBuilder,
  lambdaEnvironment,
  parseBaseOverrides,
  startContainer,
  startTestRuntimeApi,
} from "../dist/index.js";
import { writeChart } from "./chart.mjs";

const { values } = parseArgs({
  options: {
    "skip-cold": { type: "boolean" },
    runs: { type: "string", default: "5" },
    warm: { type: "string", default: "100" },
    "no-write": { type: "boolean" },
  },
});
const RUNS = Number(values.runs);
const WARM = Number(values.warm);

const root = findWorkspaceRoot();
const hello = findFunction("hello", root);
const overrides = parseBaseOverrides(process.env.IMAGE_BASE_OVERRIDES);
const engine = await checkEngine();
const event = readFileSync(join(hello.dir, "events", "write-up-hello.json"), "utf8");
const log = (line) => console.error(`[bench] ${line}`);

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function layers(image) {
  const json = await dockerOk(["image", "inspect", "--format", "{{json .RootFS.Layers}}", image]);
  return JSON.parse(json);
}
async function size(image) {
  return Number(await dockerOk(["image", "inspect", "--format", "{{.Size}}", image]));
}

/** The public base (or its override) at the bottom of a strategy's chain of bases. */
function publicBase(record) {
  const base = record.bases.BASE_IMAGE;
  if (base?.via !== "shared-image") return base?.used;
  const shared = JSON.parse(
    readFileSync(
      join(
        root,
        "images",
        record.strategy === "os-only" ? "node-os-only" : "node-debian-slim",
        ".image",
        "image.json",
      ),
      "utf8",
    ),
  );
  return shared.bases.BASE_IMAGE?.used;
}

async function timeBuild(strategy, force) {
  const builder = new ImageBuilder({ root, overrides, force, log: () => {} });
  const started = performance.now();
  const record = await builder.buildFunctionImage(hello, strategy);
  return { record, seconds: (performance.now() - started) / 1000 };
}

async function coldStart(image) {
  const runtimeApi = await startTestRuntimeApi(hello.name);
  const started = performance.now();
  const container = await startContainer({
    image,
    environment: lambdaEnvironment(hello),
    runtimeApi: runtimeApi.address,
  });
  try {
    const first = await runtimeApi.invoke(event, 60_000);
    const answeredMs = performance.now() - started;
    if (first.kind !== "response") throw new Error(`${image}: ${first.body}`);
    return { container, runtimeApi, answeredMs };
  } catch (error) {
    await container.stop();
    await runtimeApi.close();
    throw error;
  }
}

const loadBefore = loadavg()[0];
const results = {};
for (const strategy of STRATEGIES) {
  log(`${strategy}: measuring`);
  const row = {};
  if (!values["skip-cold"]) {
    row.coldBuild = (await timeBuild(strategy, "no-cache")).seconds;
    log(`${strategy}: cold build ${row.coldBuild.toFixed(1)} s`);
  }
  row.cachedBuild = (await timeBuild(strategy, "cached")).seconds;
  const unchanged = await timeBuild(strategy, undefined);
  row.unchangedBuild = unchanged.seconds;
  const record = unchanged.record;
  row.image = record.image;
  row.size = await size(record.imageId);
  const base = publicBase(record);
  row.base = base;
  row.addedBytes = row.size - (await size(base));
  row.addedLayers = (await layers(record.imageId)).length - (await layers(base)).length;

  const coldStarts = [];
  let warm = [];
  for (let run = 0; run < RUNS; run++) {
    const { container, runtimeApi, answeredMs } = await coldStart(record.imageId);
    coldStarts.push(answeredMs);
    if (run === 0) {
      for (let i = 0; i < WARM; i++) {
        const answer = await runtimeApi.invoke(event, 10_000);
        warm.push(answer.elapsedMs);
      }
    }
    await container.stop();
    await runtimeApi.close();
  }
  warm = warm.slice(Math.min(5, warm.length - 1));
  row.coldStartMs = median(coldStarts);
  row.warmP50Ms = median(warm);
  row.warmP90Ms = percentile(warm, 90);
  results[strategy] = row;
  log(`${strategy}: ${JSON.stringify(row)}`);
}

const standIns = [...overrides.values()].some((v) => v.startsWith("localhost/stand-in/"));
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const s = (seconds) => `${seconds.toFixed(1)} s`;
const ms = (millis) => `${millis < 10 ? millis.toFixed(2) : millis.toFixed(0)} ms`;
const rows = [
  ["Image size", "size", mb],
  ["Added over the public base", "addedBytes", mb],
  ["Layers added over the public base", "addedLayers", String],
  ...(values["skip-cold"]
    ? []
    : [["Cold build (no layer cache, shared base included, public base present)", "coldBuild", s]]),
  ["Cached build (docker layer cache)", "cachedBuild", s],
  ["Unchanged build (content tag found)", "unchangedBuild", s],
  [`Cold start: docker run to first answer (median of ${RUNS})`, "coldStartMs", ms],
  [`Warm invoke p50 (${WARM} invokes)`, "warmP50Ms", ms],
  [`Warm invoke p90 (${WARM} invokes)`, "warmP90Ms", ms],
];
const ratio = (a, b) => (b === 0 ? "n/a" : `${(a / b).toFixed(2)}x`);
const table = [
  "| | aws-base | os-only | non-aws | os-only / aws-base | non-aws / aws-base |",
  "|---|---|---|---|---|---|",
  ...rows.map(([label, key, format]) => {
    const [a, o, n] = STRATEGIES.map((strategy) => results[strategy][key]);
    return `| ${label} | ${format(a)} | ${format(o)} | ${format(n)} | ${ratio(o, a)} | ${ratio(n, a)} |`;
  }),
].join("\n");
const bases = STRATEGIES.map((strategy) => `\`${strategy}\`: \`${results[strategy].base}\``).join(", ");
const note = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (load average ` +
    `${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after: other work shares the machine, so times are noisy), ` +
    `Docker ${engine.serverVersion} (${engine.buildx ? "BuildKit" : "classic builder"}), ${engine.platform}.` +
    (standIns
      ? " **Stand-in figures**: the public bases were replaced by local stand-ins (docs/stand-ins.md), so sizes and" +
        " times compare the strategies with each other on this machine, not the real AWS and Docker Hub images."
      : ""),
  `Public bases: ${bases}.`,
].join(" ");
const section = `${note}\n\n${table}\n`;
console.log(section);

if (!values["no-write"]) {
  const doc = join(root, "docs", "strategies.md");
  const text = readFileSync(doc, "utf8");
  const updated = text.replace(
    /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
    `<!-- bench:start -->\n${section}<!-- bench:end -->`,
  );
  writeFileSync(doc, updated);
  log(`wrote the table into ${doc}`);
  writeChart(doc, join(root, "docs", "strategies.svg"));
  log("drew docs/strategies.svg from it");
}
