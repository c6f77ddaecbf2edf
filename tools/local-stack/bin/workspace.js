/**
 * `pnpm dev` and `pnpm invoke` in this repository: build the local stack and the tools it uses when their dist/
 * is missing or older than their sources, then run `lambda-local` in this process. Functions are built by
 * `lambda-local` itself, one at a time, so one broken function does not stop the others. `--help` never builds
 * when the stack is already built.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "@lambda-images/cli/ensure-built";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const TOOLS = ["local-stack", "build", "cli", "function-config", "node-runtimes"];

/** Runs `lambda-local <command> <args>` after building the tools if they need it. */
export async function run(command, args) {
  const help = args.includes("--help") || args.includes("-h");
  if (!(help && existsSync(join(packageDir, "dist", "cli.js"))))
    ensureBuilt("local-stack", TOOLS, "lambda-local");
  process.argv = [process.argv[0], join(packageDir, "bin", "lambda-local.js"), command, ...args];
  await import("../dist/cli.js");
}
