/**
 * Progress for a long step (an image build: minutes): what it is doing now and for how long. On a terminal it is
 * one live line, redrawn every second and cleared when the step ends; elsewhere (CI logs, turbo, a pipe) it is
 * plain lines: one when the step moves on, and one every `heartbeatMs` while it does not.
 */
import type { OutputStream } from "./colour.js";

export interface ProgressStream extends OutputStream {
  write(text: string): unknown;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** A live line (a terminal) or plain lines; defaults to whether the stream is a terminal. */
  readonly live?: boolean;
  /** Plain mode: a "still" line after this long without a new step (default 30 s). */
  readonly heartbeatMs?: number;
  /** How often the live line is redrawn, and the heartbeat checked (default 1 s). */
  readonly redrawMs?: number;
  /** Wraps the live line's elapsed time, e.g. in dim colour. */
  readonly dim?: (text: string) => string;
  readonly now?: () => number;
}

/** "42 s", "3 min 05 s". */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

export class Progress {
  readonly #stream: ProgressStream;
  readonly #live: boolean;
  readonly #heartbeatMs: number;
  readonly #redrawMs: number;
  readonly #dim: (text: string) => string;
  readonly #now: () => number;
  #task: { label: string; startedAt: number; step: string | undefined; lastLineAt: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(stream: ProgressStream, options: ProgressOptions = {}) {
    this.#stream = stream;
    this.#live = options.live ?? stream.isTTY === true;
    this.#heartbeatMs = options.heartbeatMs ?? 30_000;
    this.#redrawMs = options.redrawMs ?? 1000;
    this.#dim = options.dim ?? ((text) => text);
    this.#now = options.now ?? (() => performance.now());
  }

  /** A line of output: printed above the live line, which is redrawn under it. */
  print(line: string): void {
    this.interrupt(() => this.#stream.write(`${line}\n`));
  }

  /** Output written some other way (to stderr, say) while the live line is off the screen. */
  interrupt(write: () => void): void {
    this.#clear();
    write();
    this.#draw();
  }

  /** A long step starts (one at a time: starting another ends the first). */
  start(label: string): void {
    this.end();
    const now = this.#now();
    this.#task = { label, startedAt: now, step: undefined, lastLineAt: now };
    this.#timer = setInterval(() => this.#tick(), this.#redrawMs);
    this.#timer.unref();
    this.#draw();
  }

  /** The step moved on: "step 3/9 RUN npm ci". */
  step(step: string): void {
    const task = this.#task;
    if (task === undefined || task.step === step) return;
    task.step = step;
    if (this.#live) {
      this.#draw();
      return;
    }
    task.lastLineAt = this.#now();
    this.#stream.write(`  ${task.label}: ${step} (${formatElapsed(task.lastLineAt - task.startedAt)})\n`);
  }

  /** The step ended: the live line is cleared (the caller prints the outcome). */
  end(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
    this.#task = undefined;
  }

  #tick(): void {
    const task = this.#task;
    if (task === undefined) return;
    if (this.#live) {
      this.#draw();
      return;
    }
    const now = this.#now();
    if (now - task.lastLineAt < this.#heartbeatMs) return;
    task.lastLineAt = now;
    this.#stream.write(
      `  ${task.label}: still ${task.step === undefined ? "starting" : `at ${task.step}`} (${formatElapsed(now - task.startedAt)})\n`,
    );
  }

  #draw(): void {
    const task = this.#task;
    if (!this.#live || task === undefined) return;
    const elapsed = ` ${formatElapsed(this.#now() - task.startedAt)}`;
    const width = Math.max(20, (this.#stream.columns ?? 80) - 1 - elapsed.length);
    let text = `  ${task.label}${task.step === undefined ? "" : `: ${task.step}`}`;
    if (text.length > width) text = `${text.slice(0, width - 1)}…`;
    this.#stream.write(`\r\x1b[K${text}${this.#dim(elapsed)}`);
    this.#drawn = true;
  }

  #clear(): void {
    if (!this.#drawn) return;
    this.#stream.write("\r\x1b[K");
    this.#drawn = false;
  }
}
