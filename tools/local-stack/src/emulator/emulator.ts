/**
 * The emulator: one function, run by the engine with the image's bootstrap as its runtime, behind the local
 * stack's Invoke API. So `docker run -p 9000:8080` + `POST /2015-03-31/functions/function/invocations` gets what
 * the local stack answers (X-Amz-Function-Error on failures, Sandbox.Timedout, Runtime.ExitError, queued
 * concurrent invokes, InvokeWithResponseStream) instead of aws-lambda-rie's answers.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRegion } from "@lambda-images/function-config";
import type { FunctionHost } from "../contract.js";
import { createFunctionHost, LOCAL_ACCOUNT_ID } from "../engine/index.js";
import { createInvokeApi } from "../front-doors/invoke-api/server.js";
import type { EmulatorArgs } from "./args.js";
import { createCommandRunner } from "./command-runner.js";
import { EmulatorConfigError, emulatedFunction } from "./definition.js";

export const INVOCATIONS_PATH = "/2015-03-31/functions/function/invocations";

export interface EmulatorOptions {
  readonly args: EmulatorArgs;
  /** The container's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** The function's log lines and START/END/REPORT (default: stdout). */
  readonly out?: (line: string) => void;
  /** The emulator's own messages (default: stderr). */
  readonly err?: (line: string) => void;
}

export interface RunningEmulator {
  readonly functionName: string;
  /** `http://127.0.0.1:8080`-style base URL (the address it listens on; 0.0.0.0 shows as 127.0.0.1). */
  readonly url: string;
  readonly host: FunctionHost;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new EmulatorConfigError(`Port ${port} is already in use: choose another with --port.`)
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { args } = options;
  const emulated = emulatedFunction(env, args.command, options.cwd);
  const { definition, command } = emulated;
  const region = resolveRegion(undefined, env);
  // The engine prefixes each line with the function name for a stack of several; here there is one.
  const prefix = `[${definition.name}] `;
  const host = createFunctionHost(definition, {
    runner: createCommandRunner(command, emulated.runtimeDir),
    region,
    maxInstances: args.maxInstances,
    logSink: (line) => out(line.startsWith(prefix) ? line.slice(prefix.length) : line),
  });
  const invokeApi = createInvokeApi({
    hosts: new Map([[definition.name, host]]),
    defaultFunction: definition.name,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    log: args.logLevel === "debug" ? err : () => {},
    // Event invokes are queued and retried as by Lambda; what fails for good is kept under the writable /tmp (and
    // each retry and dead letter is reported on stderr).
    asyncInvoke: {
      deadLetterDir: join(tmpdir(), "lambda-local", "dead-letters"),
      concurrency: args.maxInstances,
      log: err,
    },
  });
  const server = createServer({ keepAliveTimeout: 65_000 }, invokeApi.listener);
  try {
    await listen(server, args.port, args.host);
  } catch (error) {
    await host.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = args.host === "0.0.0.0" || args.host === "::" ? "127.0.0.1" : args.host;
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`;
  err(
    `lambda-local emulate: ${definition.name} on ${args.host}:${port} (POST ${INVOCATIONS_PATH}), runtime ` +
      `${[command.file, ...command.args].join(" ")}, handler ${definition.lambdaHandler}, ` +
      `timeout ${definition.timeout} s, memory ${definition.memorySize} MB, ` +
      `${args.maxInstances} instance${args.maxInstances === 1 ? "" : "s"} (more invokes wait)`,
  );
  let closing: Promise<void> | undefined;
  return {
    functionName: definition.name,
    url,
    host,
    close() {
      closing ??= (async () => {
        server.close();
        server.closeAllConnections();
        await once(server, "close").catch(() => undefined);
        const stopped = await invokeApi.close();
        if (stopped.total > 0) {
          err(
            `lambda-local emulate: ${stopped.total} queued Event invocation${stopped.total === 1 ? "" : "s"} ` +
              `written to ${[...stopped.byFunction.values()].map((entry) => entry.file).join(", ")} (stack-stopped)`,
          );
        }
        await host.close();
      })();
      return closing;
    },
  };
}
