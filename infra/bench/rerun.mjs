// Rerun cost of the deploy chain, side by side with the naive alternative, on the local registry:
//   publish an unchanged image: our content-tag check (one manifest HEAD) vs `docker push` of the same tag again
//   synthesize the app:         in-process buildApp() + synth vs the CDK CLI (`cdk synth -q`)
// Needs a Docker engine and the local registry (bash infra/scripts/start-local-registry.sh). Run: pnpm bench
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LocalRegistry, publishFunction } from "@lambda-images/docker/publish";
import { dockerOk as docker } from "@lambda-images/docker-cli";
import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { buildApp } from "../dist/build-app.js";
import { runCdk } from "../dist/deploy/cli.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const registry = new LocalRegistry(process.env.LOCAL_REGISTRY || "127.0.0.1:5000");
await registry.check();

async function time(fn) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

// A 4 MB one-layer image, so a push has something to upload.
const work = mkdtempSync(join(tmpdir(), "infra-bench-"));
const reference = `infra-bench-${randomBytes(4).toString("hex")}:latest`;
writeFileSync(join(work, "payload.bin"), randomBytes(4 * 1024 * 1024));
execFileSync("tar", ["-C", work, "-cf", join(work, "rootfs.tar"), "payload.bin"]);
await docker(["import", join(work, "rootfs.tar"), reference]);
const imageId = await docker(["image", "inspect", "--format", "{{.Id}}", reference]);
const root = mkdtempSync(join(tmpdir(), "infra-bench-ws-"));
writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
execFileSync("mkdir", ["-p", join(root, "functions", "bench")]);
writeFileSync(
  join(root, "functions", "bench", "package.json"),
  JSON.stringify({ name: "@bench/bench", version: "1.0.0", lambda: { routes: ["GET /bench"] } }),
);
const [fn] = discoverFunctions(root);
const stage = `b${randomBytes(3).toString("hex")}`;
const deployDir = join(root, "deploy");
// The imported image is the engine's own platform (publishing checks it against the function's architecture).
const platform = await docker(["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", reference]);
const image = { reference, contentHash: imageId.replace("sha256:", ""), platform };

try {
  const first = await publishFunction({ fn, stage, registry, deployDir, image });
  const remote = `${registry.host}/${first.record.repository}:${first.record.tags[0]}`;
  const skip = await time(() => publishFunction({ fn, stage, registry, deployDir, image }));
  await docker(["tag", reference, remote]);
  const naive = await time(() => docker(["push", remote]));
  await docker(["image", "rm", remote]);

  const workspaceRoot = findWorkspaceRoot();
  const inProcess = await time(() =>
    buildApp({
      workspaceRoot,
      env: {},
      context: { digests: "placeholder" },
      outdir: join(work, "out"),
    }).app.synth(),
  );
  const cli = await time(() =>
    runCdk(["synth", "-q", "-c", "digests=placeholder", "--output", join(work, "cli")], { quiet: true }),
  );

  const row = (what, ours, other, label) =>
    console.log(
      `${what.padEnd(34)} ${ours.toFixed(0).padStart(7)} ms  ${other.toFixed(0).padStart(7)} ms  ${(other / ours).toFixed(1).padStart(6)}x  (${label})`,
    );
  console.log(
    `${`median of ${RUNS} runs`.padEnd(34)} ${"ours".padStart(10)}  ${"alternative".padStart(10)}  ${"ratio".padStart(7)}`,
  );
  row("publish an unchanged 4 MB image", skip, naive, "content-tag check vs docker push again");
  row(
    `synth the app (${discoverFunctions(workspaceRoot).length} functions)`,
    inProcess,
    cli,
    "in-process vs cdk synth -q",
  );
} finally {
  await docker(["image", "rm", reference]).catch(() => {});
  rmSync(work, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
}
