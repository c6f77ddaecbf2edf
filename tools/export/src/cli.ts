import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  // Under `pnpm export-function`, pnpm runs the script from the workspace root; INIT_CWD is where the user was.
  cwd: process.env.INIT_CWD ?? process.cwd(),
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
