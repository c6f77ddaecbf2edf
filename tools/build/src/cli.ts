import { listenForStop } from "@lambda-images/cli";
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  // Ctrl+C stops watching; a second one (not pnpm's copy of the first) ends the process at once.
  waitForStop: async () => {
    const stopSignals = listenForStop({ again: () => process.exit(130) });
    await stopSignals.first;
    await stopSignals.close();
  },
});
