/**
 * `lambda-local`: the local stack's command line (see cli/args.ts for the commands). Problems the user can fix are
 * printed as one clear message without a stack trace.
 */
import { colours, listenForStop, reportError } from "@lambda-images/cli";
import { findWorkspaceRoot } from "@lambda-images/function-config";
import { parseCommand, USAGE } from "./cli/args.js";
import { type RunningDev, runDev, stoppedMessage } from "./cli/dev.js";
import { type CliEnvironment, CliError } from "./cli/environment.js";
import { runInvoke } from "./cli/invoke.js";
import { reportUnhandledRejections } from "./cli/unhandled.js";
import { runEmulator } from "./emulator/main.js";
import { createFunctionHost } from "./engine/index.js";

// `lambda-local invoke hello | head -c 80`: a reader that stops early drops the rest of the output quietly (no
// EPIPE stack trace); the command still finishes, so its runtimes are stopped as usual.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
});

/** Exit codes: 0 fine, 1 the function failed or a problem the message explains, 2 a mistyped command. */
async function main(argv: readonly string[]): Promise<number> {
  // The emulator runs inside an image, outside any workspace, with its own command line (RIE's).
  if (argv[0] === "emulate") return runEmulator(argv.slice(1));
  const command = parseCommand(argv);
  if (command.command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  let workspaceRoot: string;
  try {
    workspaceRoot = findWorkspaceRoot();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const env: CliEnvironment = {
    workspaceRoot,
    // `pnpm invoke` runs this from the package folder; INIT_CWD is where the user typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    createHost: createFunctionHost,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    colours: { out: colours(process.stdout), err: colours(process.stderr) },
  };
  if (command.command === "invoke") return runInvoke(command, env);

  reportUnhandledRejections(process.stderr);

  // Listening for Ctrl+C before anything starts: a signal during startup (or right after the banner) stops the
  // stack once it is up instead of killing this process and leaving its runtimes behind.
  let dev: RunningDev | undefined;
  const stopSignals = listenForStop({
    again: () => {
      // Stopping at once: what still waits or runs goes to the dead-letter record before the process ends.
      if (dev !== undefined) process.stdout.write(stoppedMessage(dev.stack.stopEventsNow(), workspaceRoot));
      process.exit(130);
    },
  });
  dev = await runDev(command, env);
  const signal = await stopSignals.first;
  const running = [...dev.stack.eventQueues.values()].reduce((sum, queue) => sum + queue.stats().running, 0);
  process.stdout.write(
    `\n${signal}: stopping the local stack...` +
      (running === 0
        ? "\n"
        : ` waiting for ${running} running Event invocation${running === 1 ? "" : "s"} to end (${signal} ` +
          "again stops at once and writes them to the dead-letter record)\n"),
  );
  const stopped = await dev.stop();
  process.stdout.write(stoppedMessage(stopped, workspaceRoot));
  await stopSignals.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Usage errors: one line and a hint, exit 2. CliErrors (and the engine's errors) explain themselves, exit 1;
    // set LAMBDA_LOCAL_DEBUG=1 for the stack trace of anything else.
    process.exitCode = reportError("lambda-local", error, (text) => process.stderr.write(text), {
      stack: Boolean(process.env.LAMBDA_LOCAL_DEBUG) && !(error instanceof CliError),
      highlight: colours(process.stderr).red,
    });
  },
);
