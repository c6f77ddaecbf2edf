/** Test helper: the containers the local stack's container runner started, told apart from other suites' ones. */
import { dockerOk } from "@lambda-images/docker-cli";
import { CONTAINER_LABEL, CONTAINER_OWNER_LABEL } from "@lambda-images/local-stack";

/**
 * The running containers of `functionName` that the local stack in process `owner` started (default: this
 * process). Other suites run the stack at the same time, with the same function names.
 */
export async function localStackContainers(
  functionName: string,
  owner: number = process.pid,
): Promise<string[]> {
  const ids = await dockerOk([
    "ps",
    "--quiet",
    "--filter",
    `label=${CONTAINER_LABEL}=${functionName}`,
    "--filter",
    `label=${CONTAINER_OWNER_LABEL}=${owner}`,
  ]);
  return ids.split("\n").filter(Boolean);
}
