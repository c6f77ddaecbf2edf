/**
 * One build of an image at a time across processes: turbo runs several test suites and `lambda-image` commands
 * at once, and two of them may want the same shared base or the same function image. The first takes the lock
 * (a file beside the image's record, holding its pid) and builds; the others wait, then find the image by its
 * content tag instead of building it again (the classic builder would build it twice). A lock whose process has
 * gone (a build killed half-way) is taken over; should two waiters take one over at once, the worst case is two
 * builds at once, as without the lock. Hand-written (a file created with O_EXCL, polled) rather than a
 * lock library: this is all it needs, and it adds no dependency.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 200;

/** True unless `pid` is known to be gone (an unreadable or half-written lock counts as held). */
function holderAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function readHolder(lockFile: string): number | undefined {
  try {
    return Number(readFileSync(lockFile, "utf8").trim() || Number.NaN);
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
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(lockFile);
    if (holder === undefined) continue; // released between our attempt and the read
    if (!holderAlive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (!announced && Number.isInteger(holder) && holder > 0) {
      announced = true;
      waiting(holder);
    }
    await sleep(POLL_MS);
  }
  try {
    return await build();
  } finally {
    if (readHolder(lockFile) === process.pid) rmSync(lockFile, { force: true });
  }
}
