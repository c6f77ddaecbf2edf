import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * The peak resident memory of a process in MB (rounded up), as Lambda's "Max Memory Used": `VmHWM` from
 * /proc/<pid>/status on Linux, the current RSS from `ps` elsewhere. Undefined once the process is gone.
 */
export async function peakMemoryMb(pid: number): Promise<number | undefined> {
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
