#!/usr/bin/env node
// `lambda-event` (`pnpm event` in this repository: the root package.json depends on this package and has no "event"
// script, so pnpm runs this bin without printing a "> script" banner on stdout, and `| jq` works).
// Builds dist/ first when it is missing or older than src/ (tsc, its output on stderr so stdout stays the event).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

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

const built = newest(join(packageDir, "dist"));
if (built === 0 || built < newest(join(packageDir, "src"))) {
  const tsc = join(packageDir, "node_modules", ".bin", "tsc");
  const result = spawnSync(tsc, ["-p", "tsconfig.build.json"], {
    cwd: packageDir,
    stdio: ["ignore", process.stderr, process.stderr],
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write("lambda-event: building tools/events failed (see above).\n");
    process.exit(1);
  }
}

// A closed stdout (| head) ends the command quietly.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const { run } = await import("../dist/cli.js");
process.exitCode = run(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
