/**
 * Turns the measured figures (docs/strategies.json, written by strategies.mjs) into the generated section of
 * docs/strategies.md (between <!-- bench:start --> and <!-- bench:end -->) and docs/strategies.svg. Figures that
 * depend on the stand-in bases say so where they are shown; the real bases' published sizes come from
 * published-sizes.json with their source, or the reason none is shown.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.mjs";

export const STRATEGY_ORDER = ["aws-base", "os-only", "non-aws"];

export function loadPublished() {
  return JSON.parse(readFileSync(fileURLToPath(new URL("published-sizes.json", import.meta.url)), "utf8"));
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 2 : 1)} MB`;
const s = (seconds) => (seconds == null ? "none" : `${seconds.toFixed(1)} s`);
const ms = (millis) => `${millis < 10 ? millis.toFixed(2) : millis.toFixed(0)} ms`;
const ratio = (a, b) => (a == null || b == null || b === 0 ? "n/a" : `${(a / b).toFixed(2)}x`);
const load = (x) => x.toFixed(1);

/** The strategies' rows, in order; throws when the data lacks one (a partial or hand-edited file). */
function rows(results) {
  return STRATEGY_ORDER.map((strategy) => {
    const row = results.strategies[strategy];
    if (!row) throw new Error(`docs/strategies.json has no figures for ${strategy}: run the bench again`);
    return row;
  });
}

/** One table row: label, a value per strategy, the two ratios against aws-base (or blanks), and a note. */
function line(label, values, format, note, withRatios = true) {
  const [a, o, n] = values;
  const ratios = withRatios ? [ratio(o, a), ratio(n, a)] : ["", ""];
  return `| ${label} | ${values.map(format).join(" | ")} | ${ratios.join(" | ")} | ${note} |`;
}

export function renderSection(results, published) {
  const [aws, os, non] = rows(results);
  const all = [aws, os, non];
  const { runs, warm, builds, skipCold } = results.options;
  const standIns = all.some((row) => row.standIn);
  const date = results.measuredAt.slice(0, 10);
  const perStrategyLoad = all
    .map((row, i) => `${STRATEGY_ORDER[i]} ${load(row.loadBefore)}-${load(row.loadAfter)}`)
    .join(", ");
  // The strategies are measured one after another: when the load moved between them, their ratios carry it too.
  const loads = all.flatMap((row) => [row.loadBefore, row.loadAfter]);
  const loadMoved = Math.max(...loads) - Math.min(...loads) > 2;
  const nodeVersions = [...new Set(all.map((row) => row.nodeVersion))].join(", ");

  const intro = [
    `Measured ${date} on the Node.js ${results.runtime.replace(/^nodejs(\d+)\.x$/, "$1")} images (Node.js ${nodeVersions} in all three), ` +
      `${results.cores} cores shared with other work: 1-minute load average ${load(results.load.min)}-${load(results.load.max)} ` +
      `(median ${load(results.load.median)} over ${results.load.samples} samples; per strategy ${perStrategyLoad}), so times are noisy. ` +
      (loadMoved
        ? "The builds are measured one strategy after another and the load moved between them in this run, so even " +
          "the build ratios carry that change. "
        : "The builds are measured one strategy after another; their ratios are steadier than their absolute times. ") +
      (results.startsLoad
        ? `The starts are measured in turns (aws-base, os-only, non-aws, again) after every build${results.startsMeasuredAt ? ` (${results.startsMeasuredAt.slice(0, 10)})` : ""}, ` +
          `load ${load(results.startsLoad.min)}-${load(results.startsLoad.max)}, so the load weighs on the three alike and their ratios are the figures to read. `
        : "") +
      `Docker ${results.docker.version} (${results.docker.builder}), ${results.platform}.`,
    standIns
      ? "**Public bases: the Debian-built stand-ins** (docs/stand-ins.md), not AWS's or Docker Hub's images: " +
        all
          .map((row, i) => `\`${STRATEGY_ORDER[i]}\` on \`${row.baseUsed}\` for \`${row.publicBase}\``)
          .join(", ") +
        "."
      : `Public bases: ${all.map((row, i) => `\`${STRATEGY_ORDER[i]}\` on \`${row.baseUsed}\``).join(", ")}.`,
  ].join(" ");

  const standInNote = (text) => (standIns ? text : "no");
  const header = [
    "| Our layers and our builds | aws-base | os-only | non-aws | os-only / aws-base | non-aws / aws-base | Depends on the stand-ins |",
    "|---|---|---|---|---|---|---|",
  ];
  const ours = [
    line(
      "Our layers over the public base",
      all.map((r) => r.addedBytes),
      mb,
      "no: the bytes our Dockerfiles add",
    ),
    line(
      "Our layers over the public base, gzip (what a push uploads)",
      all.map((r) => r.gzip.addedBytes),
      mb,
      "no",
    ),
    line(
      "Layers we add",
      all.map((r) => r.addedLayers),
      String,
      "no",
    ),
    ...(skipCold
      ? []
      : [
          line(
            "Cold build of our layers (no layer cache, public base present)",
            all.map((r) => r.coldBuild.seconds),
            s,
            standInNote("os-only partly: its builder's `dnf install` is apt-get on the stand-in"),
          ),
          line(
            "- of which the shared base image (images/)",
            all.map((r) => r.coldBuild.sharedBaseSeconds),
            s,
            standInNote("as above"),
            false,
          ),
          line(
            "- of which the function's own layer",
            all.map((r) => r.coldBuild.functionLayerSeconds),
            s,
            "no",
            false,
          ),
        ]),
    line(
      `Cached rebuild (docker layer cache), median of ${builds}`,
      all.map((r) => r.cachedBuild.median),
      s,
      "no",
    ),
    line(
      `Unchanged rebuild (content tag found), median of ${builds}`,
      all.map((r) => r.unchangedBuild.median),
      s,
      "no",
    ),
  ];
  const startsHeader = [
    "| Starts, relative to each other | aws-base | os-only | non-aws | os-only / aws-base | non-aws / aws-base | Depends on the stand-ins |",
    "|---|---|---|---|---|---|---|",
  ];
  const runtimeNote = standIns ? "aws-base: yes (below)" : "no";
  const startsNote = standIns
    ? [
        "",
        "On the stand-ins, `aws-base` runs the stand-in's runtime (the official Node.js build and the npm " +
          "`aws-lambda-ric`, on Debian), not AWS's runtime on Amazon Linux; `os-only` and `non-aws` run our bootstrap " +
          "and runtime client, on the stand-ins' Debian instead of Amazon Linux or Debian slim. Read the ratios " +
          "between our images on one machine, not the milliseconds, and not as a measure of AWS's runtime.",
      ]
    : [];
  const starts = [
    line(
      `Cold start: docker run to first answer, median of ${runs}`,
      all.map((r) => r.coldStart.medianMs),
      ms,
      runtimeNote,
    ),
    line(
      `Warm invoke p50 (${warm} invokes)`,
      all.map((r) => r.warm.p50Ms),
      ms,
      runtimeNote,
    ),
    line(
      `Warm invoke p90 (${warm} invokes)`,
      all.map((r) => r.warm.p90Ms),
      ms,
      runtimeNote,
    ),
  ];

  const wholeHeader = [
    `| Whole images${standIns ? " on the stand-in bases: not the real images' sizes" : ""} | aws-base | os-only | non-aws | Depends on the stand-ins |`,
    "|---|---|---|---|---|",
  ];
  const whole = [
    ["Public base as built here, uncompressed", all.map((r) => r.baseSizeBytes)],
    ["Public base as built here, gzip", all.map((r) => r.gzip.baseBytes)],
    ["Whole image (base + our layers), uncompressed", all.map((r) => r.sizeBytes)],
    ["Whole image (base + our layers), gzip", all.map((r) => r.gzip.imageBytes)],
  ].map(
    ([label, values]) =>
      `| ${label} | ${values.map(mb).join(" | ")} | ${standIns ? "**yes**: the stand-in's size" : "no"} |`,
  );

  const byImage = new Map(published.bases.map((base) => [base.image, base]));
  const publishedHeader = [
    "| Real public base | Its stand-in here, gzip | Published compressed size | Source, date read |",
    "|---|---|---|---|",
  ];
  const publishedRows = all.map((row) => {
    const entry = byImage.get(row.publicBase);
    const here = row.standIn ? mb(row.gzip.baseBytes) : "(the real base was used)";
    if (!entry) return `| \`${row.publicBase}\` | ${here} | not shown: not looked up | |`;
    if (entry.size == null)
      return `| \`${row.publicBase}\` | ${here} | not shown (see below) | <${entry.page}> |`;
    return `| \`${row.publicBase}\` | ${here} | ${entry.size} (${entry.platform}) | <${entry.page}>, ${entry.read} |`;
  });
  const reasons = all
    .map((row) => byImage.get(row.publicBase))
    .filter((entry) => entry && entry.size == null)
    .map((entry) => `- \`${entry.image}\`: ${entry.notShown}.`);

  return [
    intro,
    "",
    ...header,
    ...ours,
    "",
    ...startsHeader,
    ...starts,
    ...startsNote,
    "",
    ...wholeHeader,
    ...whole,
    "",
    ...publishedHeader,
    ...publishedRows,
    ...(reasons.length ? ["", ...reasons] : []),
    "",
  ].join("\n");
}

/** Writes the generated section into docs/strategies.md and redraws docs/strategies.svg; returns the section. */
export function writeReport(root, results) {
  const published = loadPublished();
  const section = renderSection(results, published);
  const doc = join(root, "docs", "strategies.md");
  const text = readFileSync(doc, "utf8");
  if (!/<!-- bench:start -->[\s\S]*<!-- bench:end -->/.test(text))
    throw new Error(
      `${doc} has no <!-- bench:start --> ... <!-- bench:end --> section to write the figures into`,
    );
  writeFileSync(
    doc,
    text.replace(
      /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
      `<!-- bench:start -->\n${section}<!-- bench:end -->`,
    ),
  );
  writeFileSync(join(root, "docs", "strategies.svg"), renderChart(results, published));
  return section;
}
