/**
 * Build step (`node dist/emulator/bundle.js`, after tsc): bundles the emulator with esbuild into one ES module,
 * dist/emulator.mjs, that runs on the Node.js of any of the images with nothing else installed.
 */
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { EMULATOR_BUNDLE } from "./paths.js";

const entry = fileURLToPath(new URL("./entry.js", import.meta.url));

const result = await build({
  entryPoints: [entry],
  outfile: EMULATOR_BUNDLE,
  bundle: true,
  platform: "node",
  format: "esm",
  // The oldest Node.js that runs it: the host's 20 (tests) and the images' 22.
  target: "node20",
  minify: true,
  keepNames: true,
  legalComments: "none",
  banner: {
    js: "// lambda-local emulate, bundled: an aws-lambda-rie replacement (tools/local-stack/src/emulator).",
  },
  logLevel: "warning",
});
if (result.errors.length > 0) process.exit(1);
console.log(
  `emulator bundle: ${EMULATOR_BUNDLE} (${(statSync(EMULATOR_BUNDLE).size / 1024).toFixed(1)} KiB)`,
);
