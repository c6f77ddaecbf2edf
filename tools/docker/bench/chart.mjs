/**
 * Draws docs/strategies.svg from the measured figures (docs/strategies.json): one panel per figure, one bar per
 * strategy, our own layers, builds and relative start times first, whole-image sizes last. Every panel says whether
 * its figure depends on the stand-in bases, in the chart itself. strategies.mjs calls it after measuring; run it alone
 * to redraw:
 *   node tools/docker/bench/chart.mjs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const STRATEGIES = ["aws-base", "os-only", "non-aws"];
const COLORS = { "aws-base": "#ff9900", "os-only": "#3b82f6", "non-aws": "#10b981" };

const escapeXml = (text) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
const fixed = (x, digits) => (x == null ? "n/a" : x.toFixed(digits));

function panels(results, published) {
  const row = (strategy) => results.strategies[strategy];
  const standIns = STRATEGIES.some((strategy) => row(strategy).standIn);
  const aws = row("aws-base");
  const mb = (bytes) => bytes / 1e6;
  const at = (r) => `, load ${r.loadBefore.toFixed(1)}-${r.loadAfter.toFixed(1)}`;
  const list = [
    {
      title: "Our layers over the public base (MB)",
      note: "Not changed by the stand-ins: the bytes our Dockerfiles add.",
      value: (r) => mb(r.addedBytes),
      label: (r) => `${fixed(mb(r.addedBytes), r.addedBytes < 1e6 ? 2 : 1)} MB, ${r.addedLayers} layer(s)`,
    },
    ...(results.options.skipCold
      ? []
      : [
          {
            title: "Cold build of our layers, no layer cache (s)",
            note: standIns
              ? "Ours; os-only's builder installs compilers with dnf, which is apt-get on the stand-in."
              : "Ours: the shared base (if any) and the function layer.",
            value: (r) => r.coldBuild.seconds,
            label: (r) => `${fixed(r.coldBuild.seconds, 1)} s${at(r)}`,
          },
        ]),
    {
      title: `Rebuild of an unchanged function (s, median of ${results.options.builds})`,
      note: "Not changed by the stand-ins: the content tag is found, nothing is built.",
      value: (r) => r.unchangedBuild.median,
      label: (r) => `${fixed(r.unchangedBuild.median, 2)} s`,
    },
    {
      title: `Cold start relative to aws-base (median of ${results.options.runs})`,
      note: standIns
        ? "Relative on one machine; aws-base runs the stand-in's runtime client, not AWS's runtime."
        : "Relative on one machine.",
      value: (r) => r.coldStart.medianMs / aws.coldStart.medianMs,
      label: (r) =>
        `${fixed(r.coldStart.medianMs / aws.coldStart.medianMs, 2)}x (${fixed(r.coldStart.medianMs, 0)} ms${at(r)})`,
    },
    {
      title: `Warm invoke p50 relative to aws-base (${results.options.warm} invokes)`,
      note: standIns
        ? "Relative on one machine; aws-base runs the stand-in's runtime client, not AWS's runtime."
        : "Relative on one machine.",
      value: (r) => r.warm.p50Ms / aws.warm.p50Ms,
      label: (r) => `${fixed(r.warm.p50Ms / aws.warm.p50Ms, 2)}x (${fixed(r.warm.p50Ms, 2)} ms${at(r)})`,
    },
    {
      title: standIns
        ? "Whole image ON THE STAND-IN BASES (MB, uncompressed)"
        : "Whole image (MB, uncompressed)",
      note: standIns
        ? "Depends on the stand-ins: not the size of AWS's or Docker Hub's images.\n" +
          (published.bases.some((b) => b.size != null)
            ? "Published sizes of the real bases: docs/strategies.md."
            : "The real bases' published sizes could not be read; none is shown.")
        : "",
      value: (r) => mb(r.sizeBytes),
      label: (r) => `${fixed(mb(r.sizeBytes), 1)} MB (stand-in base ${fixed(mb(r.baseSizeBytes), 1)} MB)`,
      standIn: standIns,
    },
  ];
  return list.map((panel) => ({
    ...panel,
    values: STRATEGIES.map((strategy) => [strategy, panel.value(row(strategy)), panel.label(row(strategy))]),
  }));
}

export function renderChart(results, published) {
  const width = 760;
  const labelWidth = 90;
  const barArea = width - labelWidth - 240;
  const standIns = STRATEGIES.some((strategy) => results.strategies[strategy].standIn);
  const date = results.measuredAt.slice(0, 10);
  const node = results.runtime.replace(/^nodejs(\d+)\.x$/, "$1");
  const heading = `hello in three strategies, Node.js ${node} images, measured ${date} on ${results.cores} shared cores (load ${results.load.min.toFixed(1)}-${results.load.max.toFixed(1)})`;
  const warning = standIns
    ? "Public bases: Debian-built stand-ins (docs/stand-ins.md), not AWS's or Docker Hub's images."
    : "Public bases: the real images.";
  const title = `${heading}. ${warning} Our layers, build times and relative starts first; whole-image sizes last.`;
  const parts = [
    `<text x="10" y="20" class="heading">${escapeXml(heading)}</text>`,
    `<text x="10" y="38" class="${standIns ? "warning" : "note"}">${escapeXml(warning)}</text>`,
  ];
  let y = 66;
  for (const panel of panels(results, published)) {
    const finite = panel.values.map(([, value]) => value).filter(Number.isFinite);
    const max = Math.max(...finite, Number.MIN_VALUE);
    parts.push(`<text x="10" y="${y}" class="title">${escapeXml(panel.title)}</text>`);
    const notes = panel.note.split("\n");
    notes.forEach((note, i) => {
      parts.push(
        `<text x="10" y="${y + 15 + i * 14}" class="${panel.standIn ? "warning" : "note"}">${escapeXml(note)}</text>`,
      );
    });
    const top = y + 24 + (notes.length - 1) * 14;
    panel.values.forEach(([strategy, value, label], index) => {
      const barY = top + index * 22;
      const barWidth = Number.isFinite(value) ? Math.max(1, (value / max) * barArea) : 0;
      const fill = panel.standIn ? "url(#stand-in)" : COLORS[strategy];
      parts.push(
        `<text x="10" y="${barY + 13}" class="label">${strategy}</text>`,
        `<rect x="${labelWidth}" y="${barY}" width="${barWidth.toFixed(1)}" height="16" fill="${fill}" stroke="${COLORS[strategy]}"/>`,
        `<text x="${(labelWidth + barWidth + 6).toFixed(1)}" y="${barY + 13}" class="value">${escapeXml(label)}</text>`,
      );
    });
    y = top + 3 * 22 + 20;
  }
  const height = y;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" role="img">
<title>${escapeXml(title)}</title>
<defs><pattern id="stand-in" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e5e7eb"/><rect width="2" height="6" fill="#9ca3af"/></pattern></defs>
<style>.heading{font-size:13px;font-weight:600}.title{font-size:13px;font-weight:600}.label,.value{font-size:12px}.note{font-size:11px;fill:#555}.warning{font-size:11px;font-weight:600;fill:#b91c1c}</style>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join("\n")}
</svg>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const docs = new URL("../../../docs/", import.meta.url);
  const results = JSON.parse(readFileSync(new URL("strategies.json", docs), "utf8"));
  const published = JSON.parse(readFileSync(new URL("published-sizes.json", import.meta.url), "utf8"));
  writeFileSync(new URL("strategies.svg", docs), renderChart(results, published));
  console.log("wrote docs/strategies.svg");
}
