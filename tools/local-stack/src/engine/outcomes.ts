/** The error payloads the platform itself produces (timeouts, crashes, bad entry points), as Lambda words them. */
import type { RuntimeExit } from "./runners/runner.js";

const TIMEOUT_ERROR_TYPE = "Sandbox.Timedout";
const EXIT_ERROR_TYPE = "Runtime.ExitError";
const INVALID_ENTRYPOINT_ERROR_TYPE = "Runtime.InvalidEntrypoint";
export const RESPONSE_TOO_LARGE_ERROR_TYPE = "Function.ResponseSizeTooLarge";
/** Lambda's type for a failure it cannot put down to the function; here, an invocation the runtime never got. */
const UNKNOWN_ERROR_TYPE = "Runtime.Unknown";

export interface PlatformError {
  readonly errorType: string;
  readonly errorMessage: string;
}

export function platformPayload(error: PlatformError): Buffer {
  return Buffer.from(JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage }));
}

/** `RequestId: <id> Error: Task timed out after 3.00 seconds`. */
export function timeoutError(requestId: string, timeoutSeconds: number): PlatformError {
  return {
    errorType: TIMEOUT_ERROR_TYPE,
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

/** Go's names for the signals a runtime can die of, as `Runtime exited with error: signal: killed` shows them. */
const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGINT: "interrupt",
  SIGHUP: "hangup",
  SIGQUIT: "quit",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGBUS: "bus error",
  SIGILL: "illegal instruction",
  SIGFPE: "floating point exception",
  SIGPIPE: "broken pipe",
  SIGTRAP: "trace/breakpoint trap",
};

/** `RequestId: <id> Error: Runtime exited with error: exit status 42` (or `signal: killed`, or no reason). */
export function exitError(requestId: string, exit: RuntimeExit): PlatformError {
  let reason: string;
  if (exit.signal !== null) {
    reason = `Runtime exited with error: signal: ${SIGNAL_NAMES[exit.signal] ?? exit.signal.replace(/^SIG/, "").toLowerCase()}`;
  } else if (exit.code === 0 || exit.code === null) {
    reason = "Runtime exited without providing a reason";
  } else {
    reason = `Runtime exited with error: exit status ${exit.code}`;
  }
  return { errorType: EXIT_ERROR_TYPE, errorMessage: `RequestId: ${requestId} Error: ${reason}` };
}

export function invalidEntrypointError(requestId: string, detail: string): PlatformError {
  return {
    errorType: INVALID_ENTRYPOINT_ERROR_TYPE,
    errorMessage: `RequestId: ${requestId} Error: ${detail}`,
  };
}

/** `RequestId: <id> Error: <why>`, for an invocation that could not be handed to the runtime. */
export function deliveryError(requestId: string, why: string): PlatformError {
  return { errorType: UNKNOWN_ERROR_TYPE, errorMessage: `RequestId: ${requestId} Error: ${why}` };
}
