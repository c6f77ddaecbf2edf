/** Builds throwaway function folders from the `.mjs` fixtures next to this file, for the engine's tests. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type FunctionConfigInput,
  type FunctionDefinition,
  loadFunction,
} from "@lambda-images/function-config";

export type FixtureName =
  | "allocate"
  | "behaviours"
  | "init-error"
  | "callback-handler"
  | "streaming"
  | "prelude"
  | "greeter";

const roots: string[] = [];

/** A function folder whose `dist/index.mjs` is the fixture, loaded through the one config module. */
export function fixtureFunction(fixture: FixtureName, lambda: FunctionConfigInput = {}): FunctionDefinition {
  const root = mkdtempSync(join(tmpdir(), "local-stack-"));
  roots.push(root);
  const name = lambda.name ?? fixture;
  const dir = join(root, name);
  mkdirSync(join(dir, "dist"), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: `@fixtures/${name}`,
      version: "1.0.0",
      type: "module",
      lambda: { name, ...lambda },
    }),
  );
  copyFileSync(fileURLToPath(new URL(`./${fixture}.mjs`, import.meta.url)), join(dir, "dist", "index.mjs"));
  return loadFunction(dir);
}

/** Removes every folder `fixtureFunction` made. */
export function removeFixtureFunctions(): void {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}
