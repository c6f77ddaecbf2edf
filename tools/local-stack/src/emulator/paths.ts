import { fileURLToPath } from "node:url";

/**
 * The emulator bundled into one file that plain `node` runs with no node_modules (built by this package's `build`):
 * what a local-only image copies in and runs as aws-lambda-rie.
 */
export const EMULATOR_BUNDLE = fileURLToPath(new URL("../emulator.mjs", import.meta.url));
