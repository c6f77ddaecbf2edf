import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { docker, dockerEngineAnswers } from "../publish/docker.js";

/**
 * Whether the Docker tests run: when an engine answers, and always in CI (CI=true), where a missing engine must
 * fail those tests rather than skip them.
 */
export async function dockerTestsRun(): Promise<{ run: boolean; reason: string }> {
  if (await dockerEngineAnswers()) return { run: true, reason: "a Docker engine answers" };
  if (process.env.CI === "true") return { run: true, reason: "CI=true: these tests fail without an engine" };
  return {
    run: false,
    reason: "skipped: no Docker engine answers (start one; in CI these tests fail instead)",
  };
}

/** Makes a one-file image with random content (a new image id every time) with `docker import`. */
export async function importTestImage(reference: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "infra-image-"));
  try {
    const tar = join(dir, "rootfs.tar");
    writeFileSync(join(dir, "content.txt"), randomBytes(32).toString("hex"));
    execFileSync("tar", ["-C", dir, "-cf", tar, "content.txt"]);
    await docker(["import", "--change", 'CMD ["index.handler"]', tar, reference]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
