/**
 * A runner starts one runtime process for one instance: the real Runtime Interface Client on the host, the
 * pure-JS fallback client, or the function's container image. The engine gives it the environment
 * Lambda would set and reads the process's output; the runner knows only how to start and stop the process.
 */
import type { Readable } from "node:stream";
import type { FunctionDefinition } from "@lambda-images/function-config";
import type { RunnerKind } from "../../contract.js";

export interface RuntimeExit {
  /** The exit status, or null when the process was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the process could not be started at all (e.g. the command does not exist). */
  readonly startError?: string;
}

export interface RuntimeProcess {
  /** The OS process id, used to read its resident memory; undefined when the process could not start. */
  readonly pid: number | undefined;
  /**
   * Resolves once `pid` is known, or known to stay undefined (never rejects). Only the container runner needs it: it
   * finds the container's process after the container starts. The engine waits for it before reading memory.
   */
  readonly pidKnown?: Promise<void>;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the process has exited (never rejects: a failure to start is an exit too). */
  readonly exited: Promise<RuntimeExit>;
  /** Ends the process at once (SIGKILL), as Lambda does on a timeout or a reset. */
  kill(): void;
}

export interface SpawnRequest {
  readonly definition: FunctionDefinition;
  /** The complete environment of the runtime process (nothing else from the host is added). */
  readonly environment: Readonly<Record<string, string>>;
  /** Start node with --inspect=127.0.0.1:<port> (0: node picks); only the runners that start node use it. */
  readonly inspectPort?: number | undefined;
  /** With inspectPort: --inspect-wait, so the runtime waits for a debugger before it starts. */
  readonly inspectWait?: boolean | undefined;
}

export interface Runner {
  /** "command": a runtime command given by the caller (the emulator's bootstrap), not a kind chosen by name. */
  readonly kind: RunnerKind | "command";
  /** What `LAMBDA_RUNTIME_DIR` is for this runner (`/var/runtime` in Lambda). */
  readonly runtimeDir: string;
  /**
   * One line for the person running the stack, printed once at start (on stderr): why this runner runs instead of
   * the one asked for, and how to get that one. Undefined for a runner that is what was asked for.
   */
  readonly notice?: string;
  /**
   * One line for the person running the stack when this runner starts `definition` (printed once per function, on
   * stderr): e.g. that it runs the function on another architecture than its config's. Undefined when nothing needs
   * saying.
   */
  functionNotice?(definition: FunctionDefinition): string | undefined;
  /** Throws, saying what to do, when this runner cannot work on this machine at all. */
  checkAvailable(): void;
  /** Throws (or rejects), saying what to do, when this function cannot be started yet (e.g. it was not built). */
  checkFunction(definition: FunctionDefinition): void | Promise<void>;
  spawn(request: SpawnRequest): RuntimeProcess;
}
