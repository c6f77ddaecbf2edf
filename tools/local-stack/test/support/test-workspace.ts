/**
 * Throwaway workspaces for tests and benchmarks: a folder with pnpm-workspace.yaml and functions/<name>/ holding a
 * package.json "lambda" block and a ready-made dist/index.mjs, read back through the real config loader.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FunctionDefinition, loadFunction } from "@lambda-images/function-config";

export interface TestFunction {
  readonly name: string;
  /** The "lambda" block (routes, timeout, ...); `name` is filled in. */
  readonly lambda?: Readonly<Record<string, unknown>>;
  /** The source of dist/index.mjs (an ES module exporting `handler`); omit it to leave the function unbuilt. */
  readonly bundle?: string;
  /** The source of src/index.ts, for tests that build (default: a handler that returns {}). */
  readonly source?: string;
}

export function createTestWorkspace(prefix = "local-stack-"): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "test-workspace", private: true }));
  return root;
}

export function addTestFunction(
  root: string,
  { name, lambda = {}, bundle, source }: TestFunction,
): FunctionDefinition {
  const dir = join(root, "functions", name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      { name: `@test/${name}`, version: "1.0.0", type: "module", lambda: { name, ...lambda } },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, "src", "index.ts"), source ?? "export const handler = async () => ({});\n");
  const fn = loadFunction(dir);
  if (bundle !== undefined) {
    mkdirSync(fn.distDir, { recursive: true });
    writeFileSync(fn.bundle, bundle);
  }
  return fn;
}
