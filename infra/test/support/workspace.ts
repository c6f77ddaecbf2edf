import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FunctionConfigInput } from "@lambda-images/function-config";

/** A throwaway workspace folder for tests; `remove()` deletes it. */
export interface TempWorkspace {
  readonly root: string;
  /** Adds functions/<folder>/package.json with the given "lambda" block. */
  addFunction(folder: string, lambda: FunctionConfigInput, version?: string): string;
  remove(): void;
}

/** An empty workspace (just pnpm-workspace.yaml and functions/). */
export function createTempWorkspace(prefix = "infra-test-"): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  mkdirSync(join(root, "functions"));
  return {
    root,
    addFunction(folder, lambda, version = "1.0.0") {
      const dir = join(root, "functions", folder);
      mkdirSync(dir, { recursive: true });
      const pkg = { name: `@test/${folder}`, version, private: true, type: "module", lambda };
      writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
      return dir;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A copy of a real workspace's function folders (package.json files only) in a temp workspace. */
export function copyWorkspaceFunctions(workspaceRoot: string): TempWorkspace {
  const copy = createTempWorkspace("infra-copy-");
  const functionsDir = join(workspaceRoot, "functions");
  for (const entry of readdirSync(functionsDir, { withFileTypes: true })) {
    const pkg = join(functionsDir, entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(pkg)) continue;
    mkdirSync(join(copy.root, "functions", entry.name));
    cpSync(pkg, join(copy.root, "functions", entry.name, "package.json"));
  }
  return copy;
}
