import { colours, Progress } from "@lambda-images/cli";
import { runCli } from "./run-cli.js";

const out = colours(process.stdout);
// One live line on a terminal, plain step lines elsewhere; every other line of output goes above it.
const progress = new Progress(process.stdout, { dim: out.dim });

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (text) => progress.print(text),
  err: (text) => progress.interrupt(() => console.error(text)),
  progress,
  colours: { out, err: colours(process.stderr) },
});
