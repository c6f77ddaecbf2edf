/**
 * Holds a runtime process (and everything it starts) to the function's memory size, as Lambda's sandbox does:
 * going past it ends the runtime with SIGKILL, which the engine reports as `Runtime exited with error: signal:
 * killed`. The strongest mechanism the host allows is used:
 *
 *   cgroup   a memory cgroup of its own per runtime process (cgroup v2 `memory.max`, or v1
 *            `memory.limit_in_bytes`), so the kernel kills it the moment it goes past the limit, children included;
 *            needs a writable cgroup hierarchy (root, or a delegated cgroup), as on Linux CI machines.
 *   rss      elsewhere: the process's resident memory is read every few milliseconds and the process group is
 *            killed once it is past the limit (a short overshoot between two reads is possible).
 *
 * The container runner needs neither: Docker's `--memory` is a cgroup. LAMBDA_LOCAL_MEMORY_LIMIT=rss forces the
 * second mechanism (to compare, or where making cgroups is unwelcome).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type MemoryLimitMechanism = "cgroup" | "rss";

/** How often the rss mechanism reads the process's memory. */
const RSS_CHECK_MS = 20;

interface CgroupHierarchy {
  readonly version: 1 | 2;
  /** The folder new cgroups are made in (a child of this process's own memory cgroup). */
  readonly parent: string;
}

let hierarchy: CgroupHierarchy | null | undefined;

/** This process's memory cgroup folder, if the host has a writable one (checked once by making a cgroup). */
function findHierarchy(): CgroupHierarchy | null {
  if (process.platform !== "linux") return null;
  let lines: string[];
  try {
    lines = readFileSync("/proc/self/cgroup", "utf8").split("\n");
  } catch {
    return null;
  }
  const candidates: CgroupHierarchy[] = [];
  const v1 = lines.find((line) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(line));
  if (v1 !== undefined) {
    const own = v1.slice(v1.indexOf(":", v1.indexOf(":") + 1) + 1);
    candidates.push({ version: 1, parent: join("/sys/fs/cgroup/memory", own, "lambda-local") });
  }
  const v2 = lines.find((line) => line.startsWith("0::"));
  if (v2 !== undefined && existsSync("/sys/fs/cgroup/cgroup.controllers")) {
    candidates.push({ version: 2, parent: join("/sys/fs/cgroup", v2.slice(3), "lambda-local") });
  }
  for (const candidate of candidates) {
    try {
      mkdirSync(candidate.parent, { recursive: true });
      if (candidate.version === 2) {
        // Children of this folder need the memory controller.
        writeFileSync(join(candidate.parent, "cgroup.subtree_control"), "+memory");
      }
      const probe = join(candidate.parent, `probe-${randomBytes(4).toString("hex")}`);
      mkdirSync(probe);
      writeFileSync(join(probe, limitFile(candidate)), String(128 * 1024 * 1024));
      rmdirSync(probe);
      return candidate;
    } catch {
      // Not writable here: try the next one, or fall back to watching RSS.
    }
  }
  return null;
}

function limitFile(cgroup: CgroupHierarchy): string {
  return cgroup.version === 2 ? "memory.max" : "memory.limit_in_bytes";
}

/** The cgroup folder to use, or null for the rss mechanism (forced by LAMBDA_LOCAL_MEMORY_LIMIT=rss). */
function cgroupHierarchy(): CgroupHierarchy | null {
  if (process.env.LAMBDA_LOCAL_MEMORY_LIMIT === "rss") return null;
  hierarchy ??= findHierarchy();
  return hierarchy;
}

/** A process held to a memory limit; `release` undoes what the limit set up, once the process has exited. */
export interface MemoryLimit {
  readonly mechanism: MemoryLimitMechanism;
  release(): void;
}

/**
 * Holds `pid` to `limitMb`: in a cgroup of its own when the host allows it, otherwise by watching its resident
 * memory and calling `kill` once it is past the limit. Call right after spawning, before the runtime has loaded.
 */
export function limitMemory(pid: number, limitMb: number, kill: () => void): MemoryLimit {
  const bytes = limitMb * 1024 * 1024;
  const cgroup = cgroupHierarchy();
  if (cgroup !== null) {
    const dir = join(cgroup.parent, `${pid}-${randomBytes(4).toString("hex")}`);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, limitFile(cgroup)), String(bytes));
      // No swapping past the limit either (v2 counts swap separately; v1 only with swap accounting on).
      const swap = cgroup.version === 2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";
      if (existsSync(join(dir, swap)))
        writeFileSync(join(dir, swap), cgroup.version === 2 ? "0" : String(bytes));
      writeFileSync(join(dir, "cgroup.procs"), String(pid));
      return {
        mechanism: "cgroup",
        release() {
          // The kernel frees an empty cgroup's folder only once its last process is gone; the caller waits for it.
          try {
            rmdirSync(dir);
          } catch {
            // Already gone, or a straggler still in it: the next release of the parent folder takes it.
          }
        },
      };
    } catch {
      try {
        rmdirSync(dir);
      } catch {
        // Never made.
      }
    }
  }
  const watch = setInterval(() => {
    const rssKb = residentKb(pid);
    if (rssKb === undefined) clearInterval(watch);
    else if (rssKb * 1024 > bytes) {
      clearInterval(watch);
      kill();
    }
  }, RSS_CHECK_MS);
  watch.unref();
  return { mechanism: "rss", release: () => clearInterval(watch) };
}

function residentKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}
