/**
 * Draws docs/strategies.svg from the measured table in docs/strategies.md (between the bench markers): one panel per
 * figure, one bar per strategy. strategies.mjs calls it after writing the table; run it alone to redraw:
 *   node tools/docker/bench/chart.mjs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PANELS = [
  { row: /^Image size/, title: "Image size (MB)" },
  { row: /^Added over the public base/, title: "Added over the public base (MB)" },
  { row: /^Cold build/, title: "Cold build, shared base included (s)" },
  { row: /^Unchanged build/, title: "Rebuild of an unchanged function (s)" },
  { row: /^Cold start/, title: "Container cold start (ms)" },
  { row: /^Warm invoke p50/, title: "Warm invoke p50 (ms)" },
];
const COLORS = { "aws-base": "#ff9900", "os-only": "#3b82f6", "non-aws": "#10b981" };

/** The measured rows of the table: label -> { strategy: number }. */
export function parseTable(markdown) {
  const section = /<!-- bench:start -->([\s\S]*)<!-- bench:end -->/.exec(markdown)?.[1];
  if (!section)
    throw new Error("docs/strategies.md has no <!-- bench:start --> ... <!-- bench:end --> section");
  const lines = section.split("\n").filter((line) => line.startsWith("|"));
  const header = lines[0]?.split("|").map((cell) => cell.trim());
  const strategies = Object.keys(COLORS);
  const columns = strategies.map((strategy) => header?.indexOf(strategy) ?? -1);
  if (columns.some((column) => column < 0))
    throw new Error(`the table's header lacks ${strategies.join(", ")}`);
  const rows = new Map();
  for (const line of lines.slice(2)) {
    const cells = line.split("|").map((cell) => cell.trim());
    const values = Object.fromEntries(
      strategies.map((s, i) => [s, Number.parseFloat(cells[columns[i]] ?? "")]),
    );
    rows.set(cells[1] ?? "", values);
  }
  return rows;
}

const escapeXml = (text) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export function renderChart(rows, caption) {
  const width = 760;
  const panelHeight = 96;
  const labelWidth = 90;
  const barArea = width - labelWidth - 90;
  const panels = PANELS.map((panel) => {
    const entry = [...rows].find(([label]) => panel.row.test(label));
    if (!entry) throw new Error(`the table has no row for "${panel.title}"`);
    return { ...panel, values: entry[1] };
  });
  const parts = [];
  let y = 44;
  for (const panel of panels) {
    const max = Math.max(...Object.values(panel.values).filter(Number.isFinite), Number.MIN_VALUE);
    parts.push(`<text x="10" y="${y}" class="title">${escapeXml(panel.title)}</text>`);
    Object.entries(panel.values).forEach(([strategy, value], index) => {
      const barY = y + 10 + index * 24;
      const barWidth = Number.isFinite(value) ? Math.max(1, (value / max) * barArea) : 0;
      parts.push(
        `<text x="10" y="${barY + 14}" class="label">${strategy}</text>`,
        `<rect x="${labelWidth}" y="${barY}" width="${barWidth.toFixed(1)}" height="18" fill="${COLORS[strategy]}"/>`,
        `<text x="${labelWidth + barWidth + 6}" y="${barY + 14}" class="value">${Number.isFinite(value) ? value : "n/a"}</text>`,
      );
    });
    y += panelHeight;
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">
<title>${escapeXml(caption)}</title>
<style>.title{font-size:14px;font-weight:600}.label,.value{font-size:12px}.caption{font-size:11px;fill:#555}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" class="caption">${escapeXml(caption)}</text>
${parts.join("\n")}
</svg>
`;
}

export function writeChart(docPath, svgPath) {
  const rows = parseTable(readFileSync(docPath, "utf8"));
  const caption =
    "hello in three strategies, measured on stand-in bases (docs/stand-ins.md); see docs/strategies.md";
  writeFileSync(svgPath, renderChart(rows, caption));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const docs = new URL("../../../docs/", import.meta.url);
  writeChart(fileURLToPath(new URL("strategies.md", docs)), fileURLToPath(new URL("strategies.svg", docs)));
  console.log("wrote docs/strategies.svg");
}
