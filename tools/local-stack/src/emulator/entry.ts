/** The entry point of the bundled emulator (dist/emulator.mjs): `node emulator.mjs [options] [--] BOOTSTRAP...`. */
import { runEmulator } from "./main.js";

runEmulator(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `lambda-local emulate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
