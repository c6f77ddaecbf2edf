/**
 * The command line of `lambda-local emulate` (and of the bundled emulator an image runs as aws-lambda-rie):
 *
 *   emulate [--port 8080] [--host 0.0.0.0] [--max-instances 1] [--log-level info] [--] [BOOTSTRAP [ARGS...]]
 *
 * It also accepts the Runtime Interface Emulator's own flags, so an entry point written for aws-lambda-rie works
 * unchanged. Options stop at the first argument that is not one: the rest is the runtime's command, as RIE has it.
 */

import { UsageError } from "@lambda-images/cli";

const DEFAULT_EMULATOR_PORT = 8080;
const DEFAULT_EMULATOR_HOST = "0.0.0.0";
/** One execution environment, as in RIE (and one Lambda sandbox): further invokes wait for it. */
const DEFAULT_EMULATOR_INSTANCES = 1;

export const EMULATOR_USAGE = `Usage: lambda-local emulate [options] [--] [BOOTSTRAP [ARGS...]]

Answers the Invoke API on POST /2015-03-31/functions/function/invocations (as aws-lambda-rie does), running
BOOTSTRAP as the function's runtime. Without BOOTSTRAP: /var/task/bootstrap, /opt/bootstrap or
/var/runtime/bootstrap, whichever exists. With ARGS, the last one is the handler (unless _HANDLER or
AWS_LAMBDA_FUNCTION_HANDLER is set).

Options:
  --port N                 Port to listen on (default ${DEFAULT_EMULATOR_PORT})
  --host ADDRESS           Address to listen on (default ${DEFAULT_EMULATOR_HOST})
  --max-instances N        Runtimes started at most; further invokes wait in a queue (default ${DEFAULT_EMULATOR_INSTANCES})
  --log-level LEVEL        info (default) or debug (also one line per invoke)
  --runtime-interface-emulator-address HOST:PORT   aws-lambda-rie's way of saying --host and --port
  --enable-init-caching, --runtime-api-address ADDRESS   accepted for aws-lambda-rie compatibility, no effect

Environment: AWS_LAMBDA_FUNCTION_NAME (default "function"), AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 3008),
AWS_LAMBDA_FUNCTION_TIMEOUT (seconds, default 300), _HANDLER, LAMBDA_TASK_ROOT (default /var/task),
LAMBDA_RUNTIME_DIR (default /var/runtime); every other variable is passed to the runtime.
`;

export type LogLevel = "info" | "debug";

export interface EmulatorArgs {
  readonly port: number;
  readonly host: string;
  readonly maxInstances: number;
  readonly logLevel: LogLevel;
  /** The runtime's command; empty means "find the default bootstrap". */
  readonly command: readonly string[];
  readonly help: boolean;
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}".`);
  }
  return parsed;
}

/** "0.0.0.0:8080", ":8080" or "[::]:8080" (RIE's --runtime-interface-emulator-address). */
function hostAndPort(value: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(value);
  if (match?.[2] === undefined) {
    throw new UsageError(
      `--runtime-interface-emulator-address must be HOST:PORT (e.g. 0.0.0.0:8080), not "${value}".`,
    );
  }
  const host = (match[1] ?? "").replace(/^\[|\]$/g, "");
  return {
    host: host || DEFAULT_EMULATOR_HOST,
    port: wholeNumber("--runtime-interface-emulator-address", match[2], 0, 65535),
  };
}

const TAKES_VALUE = new Set([
  "--port",
  "--host",
  "--max-instances",
  "--log-level",
  "--runtime-interface-emulator-address",
  "--runtime-api-address",
]);
const FLAGS = new Set(["--enable-init-caching", "--help", "-h"]);

export function parseEmulatorArgs(argv: readonly string[]): EmulatorArgs {
  let port = DEFAULT_EMULATOR_PORT;
  let host = DEFAULT_EMULATOR_HOST;
  let maxInstances = DEFAULT_EMULATOR_INSTANCES;
  let logLevel: LogLevel = "info";
  let help = false;
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index] as string;
    if (arg === "--") {
      index++;
      break;
    }
    if (!arg.startsWith("-")) break;
    const [flag = arg, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg];
    if (FLAGS.has(flag)) {
      if (flag === "--help" || flag === "-h") help = true;
      index++;
      continue;
    }
    if (!TAKES_VALUE.has(flag)) {
      throw new UsageError(
        `Unknown option "${flag}". To run a command that starts with "-", put -- before it.`,
      );
    }
    const value = inline ?? argv[index + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value.`);
    index += inline === undefined ? 2 : 1;
    switch (flag) {
      case "--port":
        port = wholeNumber("--port", value, 0, 65535);
        break;
      case "--host":
        host = value;
        break;
      case "--max-instances":
        maxInstances = wholeNumber("--max-instances", value, 1, 64);
        break;
      case "--log-level": {
        const level = value.toLowerCase();
        logLevel = level === "debug" || level === "trace" ? "debug" : "info";
        break;
      }
      case "--runtime-interface-emulator-address":
        ({ host, port } = hostAndPort(value));
        break;
      default:
        // --runtime-api-address: each runtime gets its own Runtime API on 127.0.0.1 here.
        break;
    }
  }
  return { port, host, maxInstances, logLevel, command: argv.slice(index), help };
}
