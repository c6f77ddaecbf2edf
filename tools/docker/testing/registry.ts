/**
 * Test helpers for the local OCI registry the publish tests push to (127.0.0.1:5000, or LOCAL_REGISTRY): start it
 * when it is installed but not running, and put small images in it through its HTTP API.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_LOCAL_REGISTRY, LocalRegistry } from "@lambda-images/docker/publish";
import { findWorkspaceRoot } from "@lambda-images/function-config";
import { IN_CI } from "./engine.js";

const REGISTRY_BINARY = "/usr/bin/docker-registry";
const START_SCRIPT = join("infra", "scripts", "start-local-registry.sh");

/** The registry the tests use: LOCAL_REGISTRY, else the default 127.0.0.1:5000. */
export const TEST_REGISTRY_HOST = process.env.LOCAL_REGISTRY || DEFAULT_LOCAL_REGISTRY;

function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

async function uploadBlob(base: string, repository: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  if (start.status !== 202) throw new Error(`starting a blob upload answered HTTP ${start.status}`);
  const location = start.headers.get("location");
  if (location === null) throw new Error("the registry gave no upload location");
  const url = new URL(location, base);
  url.searchParams.set("digest", digest);
  const put = await fetch(url, {
    method: "PUT",
    headers: { "Content-Type": "application/octet-stream" },
    body: blob,
  });
  if (put.status !== 201) throw new Error(`uploading blob ${digest} answered HTTP ${put.status}`);
  return digest;
}

/**
 * Puts a tiny OCI image (random content, so a new digest every time) under `repository:tag` through the registry's
 * HTTP API, the way `docker push` would, without a Docker engine. Returns the manifest digest, computed here from
 * the bytes sent (not read back from the registry).
 */
export async function putTestImage(host: string, repository: string, tag: string): Promise<string> {
  const base = `http://${host}`;
  const layer = randomBytes(64);
  const layerDigest = await uploadBlob(base, repository, layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Cmd: ["index.handler"] },
      rootfs: { type: "layers", diff_ids: [layerDigest] },
    }),
  );
  const configDigest = await uploadBlob(base, repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: configDigest,
        size: config.length,
      },
      layers: [
        { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: layer.length },
      ],
    }),
  );
  const put = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
    method: "PUT",
    headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
  if (put.status !== 201)
    throw new Error(`putting the manifest answered HTTP ${put.status}: ${await put.text()}`);
  return sha256(manifest);
}

/** A random lower-case suffix for stage and repository names, so test runs never share state. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Whether the tests that need a local OCI registry at `host` run here. A registry that answers is used; when none
 * does and Debian's `docker-registry` is installed, the project's own script starts one (as CI does); otherwise
 * the tests are skipped with one line saying what they need, except in CI (CI=true), where they must run and fail.
 */
export async function localRegistryForTests(host: string): Promise<{ run: boolean; reason: string }> {
  const registry = new LocalRegistry(host);
  const answers = () =>
    registry.check().then(
      () => true,
      () => false,
    );
  if (await answers()) return { run: true, reason: `a registry answers at ${host}` };
  if (existsSync(REGISTRY_BINARY)) {
    // Two suites may start it at once: the loser's script fails on the taken port, and the check below decides.
    spawnSync("bash", [join(findWorkspaceRoot(), START_SCRIPT)], {
      env: { ...process.env, LOCAL_REGISTRY: host },
      stdio: "ignore",
    });
    if (await answers()) return { run: true, reason: `started the local registry at ${host}` };
  }
  if (IN_CI) return { run: true, reason: "CI=true: these tests fail without a registry" };
  const reason =
    `skipped: no registry answers at ${host} and ${REGISTRY_BINARY} is not installed ` +
    `(apt-get install docker-registry, then bash infra/scripts/start-local-registry.sh)`;
  console.warn(`LOCAL REGISTRY TESTS ${reason}`);
  return { run: false, reason };
}
