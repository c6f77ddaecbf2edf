/**
 * The Docker engine as the image builder needs it: that it answers, the platform it builds for and whether it has
 * BuildKit (buildx). The docker CLI itself (calls, errors, image queries) is @lambda-images/docker-cli.
 */
import { docker, engineNotAnswering, failureReason } from "@lambda-images/docker-cli";

export interface EngineInfo {
  readonly serverVersion: string;
  /** "linux/amd64": the platform images are built for unless one is asked for. */
  readonly platform: string;
  /** True when `docker buildx` is installed (BuildKit); false means the classic builder. */
  readonly buildx: boolean;
}

const ARCHITECTURES: Readonly<Record<string, string>> = { x86_64: "amd64", aarch64: "arm64", arm64: "arm64" };

/** Checks that the CLI is there and its engine answers; throws a DockerUnavailableError that says what to do. */
export async function checkEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineInfo> {
  const info = await docker(["info", "--format", "{{json .}}"], { env });
  if (info.code !== 0) throw engineNotAnswering(`docker info: ${failureReason(info)}`, env);
  const parsed = JSON.parse(info.stdout) as {
    ServerVersion?: string;
    Architecture?: string;
    OSType?: string;
  };
  const arch = ARCHITECTURES[parsed.Architecture ?? ""] ?? parsed.Architecture ?? "amd64";
  const buildx = (await docker(["buildx", "version"], { env })).code === 0;
  return {
    serverVersion: parsed.ServerVersion ?? "unknown",
    platform: `${parsed.OSType ?? "linux"}/${arch}`,
    buildx,
  };
}
