/**
 * Test support: a function folder with a given config, `functions/<name>` in a throwaway workspace, loaded the way
 * the tools load it. The workspaces are removed after the test file (afterAll).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { type FunctionConfigInput, type FunctionDefinition, loadFunction } from "../src/index.js";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** functions/<name> (package `@fixtures/<name>`) with `lambda` as its config, in a new throwaway workspace. */
export function throwawayFunction(name: string, lambda: FunctionConfigInput = {}): FunctionDefinition {
  const root = mkdtempSync(join(tmpdir(), `function-config-${name}-`));
  roots.push(root);
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  const dir = join(root, "functions", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `@fixtures/${name}`, version: "1.0.0", lambda }),
  );
  return loadFunction(dir);
}
