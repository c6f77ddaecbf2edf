import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withBuildLock } from "./build-lock.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "build-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Takes `lockFile` for a build that does nothing; returns the holders it waited for on the way. */
async function holdersWaitedFor(lockFile: string): Promise<number[]> {
  const waitedFor: number[] = [];
  await withBuildLock(
    lockFile,
    async () => undefined,
    (holder) => waitedFor.push(holder),
  );
  return waitedFor;
}

/** Another process holding `lockFile` (its pid in it) until `release` exists; resolves once it holds it. */
async function otherProcessHolding(
  lockFile: string,
  release: string,
): Promise<{ pid: number; exited: Promise<void> }> {
  const script = `
    const fs = require("node:fs");
    fs.writeFileSync(${JSON.stringify(lockFile)}, String(process.pid), { flag: "wx" });
    console.log("held");
    const timer = setInterval(() => {
      if (!fs.existsSync(${JSON.stringify(release)})) return;
      fs.appendFileSync(${JSON.stringify(join(dir, "order"))}, "other done\\n");
      fs.rmSync(${JSON.stringify(lockFile)});
      clearInterval(timer);
    }, 20);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the lock holder exited ${code} before holding the lock`)));
  });
  return { pid: child.pid ?? 0, exited };
}

describe("withBuildLock", () => {
  it("builds at once when nobody holds the lock, and releases it", async () => {
    const lockFile = join(dir, ".image", "build.log.lock");
    const result = await withBuildLock(lockFile, async () => {
      expect(readFileSync(lockFile, "utf8").split(" ")[0]).toBe(String(process.pid));
      return "built";
    });
    expect(result).toBe("built");
    expect(existsSync(lockFile)).toBe(false);
  });

  it("waits while another live process holds the lock, says who, then builds", async () => {
    const lockFile = join(dir, "build.log.lock");
    const release = join(dir, "release");
    const other = await otherProcessHolding(lockFile, release);
    const waitedFor: number[] = [];
    const build = withBuildLock(
      lockFile,
      async () => {
        writeFileSync(join(dir, "order"), `${readFileSync(join(dir, "order"), "utf8")}this built\n`);
      },
      (holder) => {
        waitedFor.push(holder);
        // Only now that this process waits does the other one finish its build.
        writeFileSync(release, "");
      },
    );
    await build;
    await other.exited;
    expect(waitedFor).toEqual([other.pid]);
    expect(readFileSync(join(dir, "order"), "utf8")).toBe("other done\nthis built\n");
  });

  it("takes over a lock whose process has gone", async () => {
    const lockFile = join(dir, "build.log.lock");
    const gone = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    writeFileSync(lockFile, gone.stdout.trim());
    expect(await holdersWaitedFor(lockFile)).toEqual([]);
    expect(existsSync(lockFile)).toBe(false);
  });

  it.runIf(process.platform === "linux")(
    "takes over a lock whose pid now names another process (its start time differs)",
    async () => {
      const lockFile = join(dir, "build.log.lock");
      writeFileSync(lockFile, `${process.ppid} 1`); // a live pid, but not the process that took the lock
      expect(await holdersWaitedFor(lockFile)).toEqual([]);
    },
  );

  it("releases the lock when the build fails, and passes the failure on", async () => {
    const lockFile = join(dir, "build.log.lock");
    await expect(
      withBuildLock(lockFile, async () => {
        throw new Error("docker build failed");
      }),
    ).rejects.toThrow("docker build failed");
    expect(existsSync(lockFile)).toBe(false);
  });
});
