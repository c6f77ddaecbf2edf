#!/usr/bin/env node
// `lambda-event` (`pnpm event` in this repository: the root package.json links this package, `link:tools/events`,
// and has no "event" script, so pnpm runs this bin without printing a "> script" banner on stdout, and `| jq` works).
// Builds dist/ first when it (or a tool it uses) is missing or older than its sources.
import { ensureBuilt } from "@lambda-images/cli/ensure-built";

ensureBuilt("events", ["events", "cli"], "lambda-event");

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
