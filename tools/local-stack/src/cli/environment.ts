import { existsSync } from "node:fs";
import { relative } from "node:path";
import type { Colours } from "@lambda-images/cli";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { retryDelayFromEnvironment } from "../front-doors/invoke-api/event-retries.js";
import type { HostFactory } from "../stack.js";

/** What the commands need from the outside world, passed in so tests can give their own. */
export interface CliEnvironment {
  readonly workspaceRoot: string;
  /** Where a relative path the user typed is resolved first. */
  readonly cwd: string;
  readonly createHost: HostFactory;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Colours for stdout and stderr (none unless given: tests and pipes get plain text). */
  readonly colours?: { readonly out: Colours; readonly err: Colours };
}

/** A problem the user can fix: the CLI prints the message alone (no stack trace) and exits 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/** Fails with one message naming every function whose bundle is missing. */
export function requireBuilds(functions: readonly FunctionDefinition[], workspaceRoot: string): void {
  const missing = functions.filter((fn) => !existsSync(fn.bundle));
  if (missing.length === 0) return;
  const list = missing
    .map((fn) => `  ${fn.name}: ${relative(workspaceRoot, fn.bundle)} is missing`)
    .join("\n");
  throw new CliError(
    `${missing.length === 1 ? "A function is" : "Functions are"} not built:\n${list}\n` +
      "Run pnpm build (or pnpm dev, which builds first), then try again.",
  );
}

/** The Event retry delay `LAMBDA_LOCAL_ASYNC_RETRY_DELAY_MS` sets (undefined: the default), or a CliError. */
export function retryDelaySetting(env: NodeJS.ProcessEnv): number | undefined {
  try {
    return retryDelayFromEnvironment(env);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
