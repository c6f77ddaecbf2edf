/**
 * `lambda-local emulate` and the bundled emulator (dist/emulator.mjs, which images run as aws-lambda-rie): parse
 * the command line, start the emulator, stop it on SIGTERM/SIGINT (`docker stop`, Ctrl+C).
 */
import { listenForStop, UsageError } from "@lambda-images/cli";
import { EMULATOR_USAGE, parseEmulatorArgs } from "./args.js";
import { EmulatorConfigError } from "./definition.js";
import { startEmulator } from "./emulator.js";

/** Runs until a signal stops it; resolves with the exit code. */
export async function runEmulator(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseEmulatorArgs>;
  try {
    args = parseEmulatorArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`lambda-local emulate: ${error.message}\n\n${EMULATOR_USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(EMULATOR_USAGE);
    return 0;
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({ args });
  } catch (error) {
    if (!(error instanceof EmulatorConfigError)) throw error;
    process.stderr.write(`lambda-local emulate: ${error.message}\n`);
    return 1;
  }
  // A second signal while stopping ends at once. (Inside an image no package manager runs this: no copy to expect.)
  const signal = await listenForStop({ again: () => process.exit(130), expectCopy: false }).first;
  process.stderr.write(`lambda-local emulate: ${signal}, stopping\n`);
  await emulator.close();
  return 0;
}
