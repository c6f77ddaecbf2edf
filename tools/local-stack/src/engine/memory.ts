import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * The peak resident memory of a process in MB (rounded up), as Lambda's "Max Memory Used": `VmHWM` from
 * /proc/<pid>/status on Linux, the current RSS from `ps` elsewhere. Undefined once the process is gone.
 */
async function peakMemoryMb(pid: number): Promise<number | undefined> {
  const kilobytes = process.platform === "linux" ? fromProc(pid) : await fromPs(pid);
  return kilobytes === undefined ? undefined : Math.ceil(kilobytes / 1024);
}

/** A synchronous read: /proc answers from memory in microseconds, cheaper than a trip through the thread pool. */
function fromProc(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function fromPs(pid: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile("ps", ["-o", "rss=", "-p", String(pid)], (error, stdout) => {
      const kilobytes = Number.parseInt(stdout.trim(), 10);
      resolve(error || Number.isNaN(kilobytes) ? undefined : kilobytes);
    });
  });
}

const SAMPLE_INTERVAL_MS = 100;

/** An instance's Max Memory Used: the highest peak read so far, read when asked and every 100 ms while started. */
export class MemorySampler {
  readonly #pid: () => number | undefined;
  #peakMb = 0;
  /** Whether a sample was taken (or started) since this sampler was made. */
  #sampled = false;
  #timer: NodeJS.Timeout | undefined;

  /** `pid`: the process to read, or undefined while there is none (not started, or exited). */
  constructor(pid: () => number | undefined) {
    this.#pid = pid;
  }

  get peakMb(): number {
    return this.#peakMb;
  }

  /** Reads the peak now; resolves with whether there was a process to read. */
  async sample(): Promise<boolean> {
    const pid = this.#pid();
    if (pid === undefined) return false;
    this.#sampled = true;
    const mb = await peakMemoryMb(pid);
    if (mb !== undefined && mb > this.#peakMb) this.#peakMb = mb;
    return mb !== undefined;
  }

  /**
   * Samples every 100 ms until `stop()`; now too, unless a sample was taken already. Between invokes the runtime
   * only waits for the next one, so the sample taken when the last invoke ended still stands (and VmHWM never goes
   * down): reading it again as a warm invoke starts would cost a /proc read per invoke and tell nothing new.
   */
  start(): void {
    if (!this.#sampled) void this.sample();
    this.#timer ??= setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
