/** Watch mode's builds: each function is built, then rebuilt on change; one that fails is listed as not built. */
import { relative } from "node:path";
import { type BuildOutcome, type FunctionWatcher, watchFunction } from "@lambda-images/build";
import { PLAIN } from "@lambda-images/cli";
import type { FunctionDefinition } from "@lambda-images/function-config";
import type { CliEnvironment } from "./environment.js";

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * One line for a build error in the banner: "functions/x/src/index.ts:1:38: Unexpected ..." from esbuild's
 * formatted message, else the message's first line. The whole error was printed when the build failed.
 */
function buildErrorSummary(message: string, fnFolder: string): string {
  const lines = message.split("\n");
  const error = lines.find((line) => line.includes("[ERROR]"))?.replace(/^.*\[ERROR\]\s*/, "");
  const where = lines.map((line) => line.trim()).find((line) => /^\S+:\d+:\d+:$/.test(line));
  if (error !== undefined && where !== undefined) {
    return `${where.startsWith("/") ? where : `${fnFolder}/${where}`} ${error}`;
  }
  return lines.find((line) => line.trim() !== "")?.trim() ?? message;
}

/** Watches one function: builds it, then rebuilds it on change; undefined when it cannot be watched (yet). */
export async function watchOne(
  fn: FunctionDefinition,
  env: CliEnvironment,
  onRebuilt: (fn: FunctionDefinition) => Promise<void>,
  notBuilt: Map<string, string>,
): Promise<FunctionWatcher | undefined> {
  const log = (line: string) => env.stdout.write(`${line}\n`);
  let builds = 0;
  const onRebuild = async (outcome: BuildOutcome) => {
    builds++;
    const label = relative(env.workspaceRoot, fn.dir);
    if (!outcome.ok) {
      notBuilt.set(fn.name, buildErrorSummary(outcome.error.message, label));
      env.stderr.write(
        `${(env.colours?.err ?? PLAIN).red(`[build] ${label} failed`)} (fix it and save again):\n`,
      );
      env.stderr.write(`${outcome.error.message}\n`);
      return;
    }
    notBuilt.delete(fn.name);
    const { bytes, durationMs } = outcome.report;
    log(
      `[build] ${label}: ${formatKb(bytes)} in ${durationMs.toFixed(0)} ms${builds > 1 ? ", reloaded" : ""}`,
    );
    if (builds > 1) await onRebuilt(fn);
  };
  try {
    return await watchFunction(fn, onRebuild);
  } catch (error) {
    // One broken function (say, a folder still being written) must not take the others down.
    notBuilt.set(
      fn.name,
      `${(error as Error).message.split("\n")[0]} (served once its entry exists and builds)`,
    );
    env.stderr.write(
      `[build] ${(error as Error).message}\n[build] ${fn.name} is not watched; its invokes fail until it builds.\n`,
    );
    return undefined;
  }
}
