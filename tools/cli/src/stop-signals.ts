/**
 * Ctrl+C and `docker stop` for the commands that run until stopped (`lambda-local dev`, `emulate` and
 * `invoke --replay-dead-letters`, `lambda-build --watch`):
 * the first SIGINT or SIGTERM asks for a clean stop, another one for a stop at once.
 *
 * The listeners stay installed until `dispose()` (or the process's end). Listening with `process.once` would leave a
 * moment with no listener after the first signal, and a signal arriving then kills the process with nothing written.
 */

export interface StopSignals {
  /** The first SIGINT or SIGTERM. */
  readonly first: Promise<NodeJS.Signals>;
  /** Stops listening: the signals' default (ending the process) is back. */
  dispose(): void;
}

export interface StopSignalOptions {
  /** Called for each signal after the first, except the expected copy. */
  readonly again: (signal: NodeJS.Signals) => void;
  /**
   * Run by a package manager (`pnpm dev`), one Ctrl+C arrives twice: the terminal signals the whole process group,
   * and pnpm forwards its own copy. Then the first repeat of the first signal is that copy, however late it comes,
   * and not a second press. Default: whether a package manager runs this process (`npm_lifecycle_event` is set).
   */
  readonly expectCopy?: boolean;
}

export function listenForStop({
  again,
  expectCopy = process.env.npm_lifecycle_event !== undefined,
}: StopSignalOptions): StopSignals {
  let first: NodeJS.Signals | undefined;
  let copyExpected = expectCopy;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const firstSignal = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = signal;
      resolveFirst(signal);
    } else if (copyExpected && signal === first) {
      copyExpected = false;
    } else {
      again(signal);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    first: firstSignal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
