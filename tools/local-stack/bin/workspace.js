/**
 * `pnpm dev` and `pnpm invoke` in this repository: build the local stack and the tools it uses when their dist/
 * is missing or older than their sources (turbo, its output on stderr so stdout stays the command's own), then
 * run `lambda-local` in this process. Functions are built by `lambda-local` itself, one at a time, so one broken
 * function does not stop the others. `--help` never builds when the stack is already built.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = join(packageDir, "..", "..");
const TOOLS = ["local-stack", "build", "cli", "function-config", "node-runtimes"];

/** The newest modification time of the files under `folder` (tests excepted), 0 when it is missing. */
function newest(folder) {
  if (!existsSync(folder)) return 0;
  let time = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith(".test.ts")) continue;
    time = Math.max(time, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return time;
}

function toolsAreBuilt() {
  return TOOLS.every((name) => {
    const dir = join(repoRoot, "tools", name);
    const built = newest(join(dir, "dist"));
    return (
      built > 0 && built >= newest(join(dir, "src")) && built >= statSync(join(dir, "package.json")).mtimeMs
    );
  });
}

function buildTools() {
  const turbo = join(repoRoot, "node_modules", ".bin", "turbo");
  const result = spawnSync(
    turbo,
    ["run", "build", "--filter=@lambda-images/local-stack...", "--output-logs=errors-only"],
    { cwd: repoRoot, stdio: ["ignore", process.stderr, process.stderr] },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write("lambda-local: building the local stack failed (see above).\n");
    process.exit(1);
  }
}

/** Runs `lambda-local <command> <args>` after building the tools if they need it. */
export async function run(command, args) {
  const help = args.includes("--help") || args.includes("-h");
  const cli = join(packageDir, "dist", "cli.js");
  if (!(help && existsSync(cli)) && !toolsAreBuilt()) buildTools();
  process.argv = [process.argv[0], join(packageDir, "bin", "lambda-local.js"), command, ...args];
  await import("../dist/cli.js");
}
