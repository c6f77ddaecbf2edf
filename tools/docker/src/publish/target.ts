import { checkEngine } from "../docker/engine.js";
import { PUBLISH_TARGETS, type PublishTarget, STAGE_PATTERN, STAGE_RULE } from "./records.js";
import { DEFAULT_LOCAL_REGISTRY, EcrRegistry, type ImageRegistry, LocalRegistry } from "./registries.js";

/**
 * The publish target: `--target`, else DEPLOY_TARGET, else "aws". "local" is the offline rehearsal against a local
 * OCI registry (LOCAL_REGISTRY, default 127.0.0.1:5000).
 */
export function resolveTarget(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): PublishTarget {
  const value = flag ?? env.DEPLOY_TARGET ?? "aws";
  if (!(PUBLISH_TARGETS as readonly string[]).includes(value)) {
    const from = flag === undefined ? "DEPLOY_TARGET" : "--target";
    throw new Error(`${from} is "${value}": use one of ${PUBLISH_TARGETS.join(", ")}.`);
  }
  return value as PublishTarget;
}

/** The stage publishing writes to: `--stage`, else STAGE, else "dev" (the CDK app's default too). */
export function resolveStage(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const stage = flag ?? (env.STAGE || "dev");
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`${flag === undefined ? "STAGE" : "--stage"} is "${stage}": it ${STAGE_RULE}.`);
  }
  return stage;
}

/**
 * Connects to the target's registry and checks everything publishing needs (region, credentials and a registry
 * login for ECR; a registry that answers for local; a Docker engine for both), before any image is touched.
 */
export async function connectRegistry(
  target: PublishTarget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ImageRegistry> {
  if (target === "aws") {
    const registry = await EcrRegistry.connect();
    await checkEngine(env);
    return registry;
  }
  const registry = new LocalRegistry(env.LOCAL_REGISTRY || DEFAULT_LOCAL_REGISTRY);
  await registry.check();
  await checkEngine(env);
  return registry;
}
