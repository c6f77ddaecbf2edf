/**
 * For the bins that run from a checkout (`pnpm dev`, `pnpm invoke`, `pnpm event`): builds the tools they run on
 * when a dist/ is missing or older than its sources, with turbo, its output on stderr so stdout stays the
 * command's own. Plain JavaScript, so it runs before anything is built.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: tools/cli/ is two folders down. */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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

/** True when each tools/<name> has a dist/ newer than its src/ and its package.json. */
function toolsAreBuilt(names) {
  return names.every((name) => {
    const dir = join(repoRoot, "tools", name);
    const built = newest(join(dir, "dist"));
    return (
      built > 0 && built >= newest(join(dir, "src")) && built >= statSync(join(dir, "package.json")).mtimeMs
    );
  });
}

/**
 * Builds `@lambda-images/<pkg>` and what it depends on (turbo) unless every tool in `names` is built already;
 * exits with status 1 and one line naming `command` when the build fails.
 */
export function ensureBuilt(pkg, names, command) {
  if (toolsAreBuilt(names)) return;
  const turbo = join(repoRoot, "node_modules", ".bin", "turbo");
  const result = spawnSync(
    turbo,
    ["run", "build", `--filter=@lambda-images/${pkg}...`, "--output-logs=errors-only"],
    {
      cwd: repoRoot,
      stdio: ["ignore", process.stderr, process.stderr],
    },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write(`${command}: building ${pkg} failed (see above).\n`);
    process.exit(1);
  }
}
