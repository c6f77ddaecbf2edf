/**
 * Ctrl+C and `docker stop` for the commands that run until stopped (`lambda-local dev`, `emulate` and
 * `invoke --replay-dead-letters`, `lambda-build --watch`):
 * the first SIGINT or SIGTERM asks for a clean stop, another one for a stop at once.
 *
 * The listeners stay installed until `close()`. Listening with `process.once` would leave a moment with no listener
 * after the first signal, and a signal arriving then kills the process with nothing written.
 */

/**
 * How long after the first signal `close()` waits for a package manager's copy of it. The copy comes when pnpm gets
 * to it, and arriving once no listener is left (as the process ends) it kills the process: pnpm then reports the
 * command as failed. If the copy never comes (the kernel merges two signals that arrive together), this is the cost.
 */
const COPY_WAIT_MS = 2_000;

export interface StopSignals {
  /** The first SIGINT or SIGTERM. */
  readonly first: Promise<NodeJS.Signals>;
  /**
   * Stops listening: the signals' default (ending the process) is back. After a stop signal, when a package
   * manager's copy of it is still to come, waits for the copy first (at most COPY_WAIT_MS after the first signal).
   */
  close(): Promise<void>;
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
  let firstAt = 0;
  let copyExpected = expectCopy;
  let copyArrived: () => void = () => {};
  const copy = new Promise<void>((resolve) => {
    copyArrived = resolve;
  });
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const firstSignal = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = signal;
      firstAt = performance.now();
      resolveFirst(signal);
    } else if (copyExpected && signal === first) {
      copyExpected = false;
      copyArrived();
    } else {
      again(signal);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    first: firstSignal,
    async close() {
      if (first !== undefined && copyExpected) {
        const left = Math.max(0, firstAt + COPY_WAIT_MS - performance.now());
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([copy, new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
        clearTimeout(timer);
      }
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
