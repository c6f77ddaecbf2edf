/**
 * One build of an image at a time across processes: turbo runs several test suites and `lambda-image` commands
 * at once, and two of them may want the same shared base or the same function image. The first takes the lock
 * (a file beside the image's record, holding its pid) and builds; the others wait, then find the image by its
 * content tag instead of building it again (the classic builder would build it twice). A lock whose process has
 * gone (a build killed half-way), or whose pid now names another process (Linux: the start time differs), is taken
 * over; should two waiters take one over at once, the worst case is two
 * builds at once, as without the lock. Hand-written (a file created with O_EXCL, polled) rather than a
 * lock library: this is all it needs, and it adds no dependency.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 200;

/** A lock's holder: its pid, and on Linux its start time (so a pid the system has since reused is not it). */
interface Holder {
  readonly pid: number;
  readonly started: string | undefined;
}

/** The start time of process `pid` in clock ticks since boot (/proc/<pid>/stat field 22); undefined off Linux. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): Holder | undefined {
  const [pid, started] = text.trim().split(" ");
  const parsed = Number(pid);
  return Number.isInteger(parsed) && parsed > 0 ? { pid: parsed, started } : undefined;
}

/** False once the holder is known to be gone: no such process, or another process under its pid. */
function holderAlive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const started = startTime(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

/** The lock file's text; undefined when there is none. "" while its holder is still writing it. */
function readLock(lockFile: string): string | undefined {
  try {
    return readFileSync(lockFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Runs `build` holding `lockFile`. `waiting` is called once, with the holder's pid, when another process holds it.
 */
export async function withBuildLock<T>(
  lockFile: string,
  build: () => Promise<T>,
  waiting: (holder: number) => void = () => {},
): Promise<T> {
  mkdirSync(dirname(lockFile), { recursive: true });
  const me = `${process.pid} ${startTime(process.pid) ?? ""}`.trim();
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lockFile, me, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const text = readLock(lockFile);
    if (text === undefined) continue; // released between our attempt and the read
    const holder = parseHolder(text);
    if (holder !== undefined && !holderAlive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (!announced && holder !== undefined) {
      announced = true;
      waiting(holder.pid);
    }
    await sleep(POLL_MS);
  }
  try {
    return await build();
  } finally {
    if (readLock(lockFile) === me) rmSync(lockFile, { force: true });
  }
}
