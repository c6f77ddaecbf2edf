import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  brokenLinks,
  extractCommands,
  inlineCommands,
  outsidePaths,
  problems,
  readWorkspace,
  splitCommands,
  stripComment,
} from "./commands.js";

describe("extractCommands", () => {
  it("reads sh/bash blocks only, joins continued lines, drops comments and splits at && ; |", () => {
    const md = [
      "```json",
      '{"a": 1}',
      "```",
      "  ```sh",
      "  # a comment line",
      "  pnpm install && pnpm dev   # start",
      '  curl "http://x/#frag" \\',
      "    -d '{}' | jq .",
      "  ```",
      "```bash",
      "A=1 pnpm test; echo done",
      "```",
    ].join("\n");
    expect(extractCommands(md, "README.md").map((c) => [c.line, c.text])).toEqual([
      [6, "pnpm install"],
      [6, "pnpm dev"],
      [7, `curl "http://x/#frag"  -d '{}'`],
      [7, "jq ."],
      [11, "A=1 pnpm test"],
      [11, "echo done"],
    ]);
  });

  it("keeps # and | inside quotes", () => {
    expect(stripComment(`echo "a # b" # c`)).toBe(`echo "a # b"`);
    expect(splitCommands(`echo 'a | b' || true`)).toEqual([`echo 'a | b'`, "true"]);
  });

  it("finds pnpm commands quoted inline, across a line break", () => {
    const md =
      "Single steps: `pnpm --filter @x/infra exec\nlambda-publish --all`, `pnpm <script>`, and\n```sh\n`pnpm no`\n```\n";
    expect(inlineCommands(md, "d.md")).toEqual([
      { doc: "d.md", line: 1, text: "pnpm --filter @x/infra exec lambda-publish --all" },
    ]);
  });
});

describe("problems", () => {
  const root = mkdtempSync(join(tmpdir(), "docs-check-"));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - tools/*\n\ncatalog:\n  x: 1\n");
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "root", scripts: { dev: "x" } }));
  mkdirSync(join(root, "node_modules", ".bin"), { recursive: true });
  writeFileSync(join(root, "node_modules", ".bin", "turbo"), "");
  mkdirSync(join(root, "tools", "a", "node_modules", ".bin"), { recursive: true });
  mkdirSync(join(root, "tools", "a", "events"), { recursive: true });
  writeFileSync(join(root, "tools", "a", "events", "e.json"), "{}");
  mkdirSync(join(root, "tools", "a", "bin"));
  writeFileSync(join(root, "tools", "a", "bin", "a.js"), "");
  writeFileSync(join(root, "tools", "a", "node_modules", ".bin", "cdk"), "");
  writeFileSync(
    join(root, "tools", "a", "package.json"),
    JSON.stringify({ name: "@x/a", scripts: { build: "b" }, bin: { "lambda-a": "./bin/a.js" } }),
  );
  const ws = readWorkspace(root);
  const check = (text: string, doc = "README.md") => problems({ doc, line: 1, text }, ws);

  it("accepts what exists", () => {
    expect(check("pnpm dev")).toEqual([]);
    expect(check("pnpm turbo run build --filter @x/a")).toEqual([]);
    expect(check("pnpm --filter @x/a build")).toEqual([]);
    expect(check("pnpm --filter @x/a run build")).toEqual([]);
    expect(check("STAGE=dev pnpm --filter @x/a exec cdk synth")).toEqual([]);
    expect(check("pnpm --filter @x/a exec node bin/a.js --all")).toEqual([]);
    expect(check("lambda-a --dir tools/a")).toEqual([]);
    expect(check("pnpm install")).toEqual([]);
    expect(check("lambda-a --event events/e.json", "tools/a/README.md")).toEqual([]);
  });

  it("names the missing script, package, bin or path", () => {
    expect(check("pnpm run setup")).toEqual(['no script "setup" in the root package.json']);
    expect(check("pnpm setup")[0]).toMatch(/no script "setup" in the root package.json/);
    expect(check("pnpm --filter @x/b build")[0]).toMatch(/no workspace package "@x\/b"/);
    expect(check("pnpm --filter @x/a exec lambda-a --all")[0]).toMatch(/no bin "lambda-a" .*not found/);
    expect(check("pnpm exec lambda-a lint")[0]).toMatch(/no bin "lambda-a" for pnpm exec in the root/);
    expect(check("pnpm turbo run build nope")).toEqual([
      'turbo run nope: no workspace package has a "nope" script',
    ]);
    expect(check("bash tools/a/missing.sh")[0]).toMatch(/no file tools\/a\/missing.sh/);
    expect(check("lambda-zzz")).toEqual(['no workspace package declares a bin "lambda-zzz"']);
  });

  it("finds paths outside the repository and broken links", () => {
    expect(outsidePaths("see `/work/shared/ref.md` and `/aws/lambda/x`", root)).toEqual([
      "/work/shared/ref.md",
    ]);
    expect(brokenLinks("[a](tools/a) [b](tools/b#x) [c](https://x)", "README.md", root)).toEqual(["tools/b"]);
  });
});
