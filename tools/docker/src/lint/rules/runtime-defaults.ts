import { join } from "node:path";
import { RUNTIMES, type RuntimeInfo, runtimeInfo } from "@lambda-images/function-config";
import type { Finding } from "../findings.js";
import { finding, type Rule, show } from "./context.js";

/** The Node.js major an image reference is known to carry: a runtime's base or node image, or node:<version>. */
function nodeMajorOf(reference: string): number | undefined {
  for (const info of RUNTIMES.map(runtimeInfo)) {
    if (reference === info.nodeImage || Object.values(info.baseImages).includes(reference))
      return info.nodeMajor;
  }
  const official = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:[.-]|$)/.exec(reference);
  return official === null ? undefined : Number(official[1]);
}

/**
 * A Dockerfile's pinned defaults carry the Node.js of its runtime (tools/function-config's runtime table), so a
 * plain `docker build` gets the Node.js the function's config names: an `ARG BASE_IMAGE` or `ARG NODE_IMAGE` that
 * names a runtime's base or an official node image of another major is a finding, with the value to write. A
 * shared base under images/ serves the runtime whose Node.js major is its tag. Other images are left alone.
 */
export const runtimeDefaults: Rule = (context) => {
  const { fn, baseImage } = context.target;
  let runtime: RuntimeInfo | undefined;
  let whose: string;
  if (fn !== undefined) {
    runtime = runtimeInfo(fn.runtime);
    whose = `${fn.name}'s runtime ${fn.runtime}`;
  } else if (baseImage !== undefined) {
    runtime = RUNTIMES.map(runtimeInfo).find((info) => String(info.nodeMajor) === baseImage.tag);
    whose = `${baseImage.reference}, the base for Node.js ${baseImage.tag}`;
    if (runtime === undefined) {
      const majors = RUNTIMES.map((r) => runtimeInfo(r).nodeMajor).join(", ");
      const file = show(context, join(baseImage.dir, "package.json"));
      return [
        finding(
          context,
          1,
          "runtime-defaults",
          `${baseImage.reference}: its tag must be the Node.js major of a runtime (${majors}); set "image.tag" in ${file}.`,
        ),
      ];
    }
  } else {
    return [];
  }
  const expected: Record<string, string> = {
    BASE_IMAGE:
      fn !== undefined
        ? runtime.baseImages[context.target.strategy]
        : // The non-aws shared base starts from the node image; the os-only one from AWS's OS-only base.
          context.target.strategy === "non-aws"
          ? runtime.nodeImage
          : "",
    NODE_IMAGE: runtime.nodeImage,
  };
  const findings: Finding[] = [];
  for (const [arg, wanted] of Object.entries(expected)) {
    const actual = context.dockerfile.globalArgs.get(arg);
    if (actual === undefined) continue;
    const major = nodeMajorOf(actual);
    if (major === undefined || major === runtime.nodeMajor) continue;
    findings.push(
      finding(
        context,
        context.dockerfile.globalArgLines.get(arg) ?? 1,
        "runtime-defaults",
        `ARG ${arg}=${actual} is Node.js ${major}, but ${whose} is Node.js ${runtime.nodeMajor}: ` +
          `write ARG ${arg}=${wanted || runtime.nodeImage} (the runtime table: tools/function-config/src/runtimes.ts).`,
      ),
    );
  }
  return findings;
};
