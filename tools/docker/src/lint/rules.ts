/**
 * The project's own Dockerfile rules. Each takes a parsed Dockerfile and what it is for (its target) and returns
 * findings that say where, what is wrong and what to do.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { RUNTIMES, type RuntimeInfo, runtimeInfo } from "@lambda-images/function-config";
import type { DockerIgnore } from "../dockerfile/dockerignore.js";
import { unpinnedReason } from "../dockerfile/image-ref.js";
import {
  finalStage,
  type ParsedDockerfile,
  type ParsedInstruction,
  type ParsedStage,
  substitute,
} from "../dockerfile/parse.js";
import { bundleExports } from "./bundle-exports.js";
import type { Finding } from "./findings.js";
import { stageBase, stageLineage } from "./stages.js";
import type { LintTarget } from "./targets.js";

export interface RuleContext {
  readonly target: LintTarget;
  readonly dockerfile: ParsedDockerfile;
  readonly dockerIgnore: DockerIgnore;
  /** The user the final stage of each shared image runs as, by reference ("lambda-images/node-debian-slim:24"). */
  readonly baseImageUsers: ReadonlyMap<string, string | undefined>;
  /** The folder paths in messages are relative to. */
  readonly root: string;
}

export type Rule = (context: RuleContext) => Finding[];

function finding(context: RuleContext, line: number, rule: string, message: string): Finding {
  return { file: context.target.dockerfile, line, rule, message };
}

function show(context: RuleContext, path: string): string {
  return relative(context.root, path) || ".";
}

/** Every FROM names a pinned image (a tag other than "latest", or a digest), an ARG with such a default, or a stage. */
export const pinnedBase: Rule = (context) => {
  const findings: Finding[] = [];
  for (const stage of context.dockerfile.stages) {
    const base = stageBase(context.dockerfile, stage);
    if (base.kind === "stage") continue;
    if (base.kind === "unresolved") {
      const problem = base.declared
        ? `ARG ${base.variable} has no default`
        : `${base.variable} is not declared by an ARG before the first FROM`;
      findings.push(
        finding(
          context,
          stage.line,
          "pinned-base",
          `FROM ${stage.image}: ${problem}. Declare it before the first FROM with a pinned default ` +
            `(ARG ${base.variable}=image:tag), so a plain docker build gets a known image and overrides stay possible.`,
        ),
      );
      continue;
    }
    const reason = unpinnedReason(base.reference);
    if (reason === undefined) continue;
    const via = base.viaArg === undefined ? "" : ` (the default of ARG ${base.viaArg})`;
    findings.push(
      finding(
        context,
        base.viaArg === undefined
          ? stage.line
          : (context.dockerfile.globalArgLines.get(base.viaArg) ?? stage.line),
        "pinned-base",
        `FROM ${stage.image}${via}: ${reason}. Pin a version tag (e.g. node:24.22.3-bookworm-slim) or a digest ` +
          "(image@sha256:...).",
      ),
    );
  }
  return findings;
};

const WILDCARD = /[*?[]/;

function sourcesOf(instruction: ParsedInstruction): string[] {
  const words = instruction.json ?? instruction.args;
  return words.slice(0, -1);
}

function filesUnder(dir: string, rel: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const childRel = posix.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(join(dir, entry.name), childRel));
    else out.push(childRel);
  }
  return out;
}

/** Every COPY/ADD source (not --from a stage) exists in the build context and is not left out by .dockerignore. */
export const copySourcesExist: Rule = (context) => {
  const findings: Finding[] = [];
  const { target, dockerIgnore } = context;
  for (const stage of context.dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") continue;
      if (instruction.flags.has("from")) continue;
      for (const written of sourcesOf(instruction)) {
        if (instruction.keyword === "ADD" && /^[a-z][a-z0-9+.-]*:\/\//i.test(written)) continue;
        const source = substitute(written, context.dockerfile.globalArgs);
        if (source === undefined || WILDCARD.test(source)) continue;
        const rel =
          posix
            .normalize(source)
            .replace(/^(\.\/|\/)+/, "")
            .replace(/\/+$/, "") || ".";
        const path = join(target.context, rel);
        const where = `${instruction.keyword} ${written}`;
        if (!existsSync(path)) {
          const hint =
            target.fn && rel.split("/")[0] === relative(target.fn.dir, target.fn.distDir)
              ? `Build the function first (pnpm build, which runs lambda-build) so ${rel} exists.`
              : `Sources are relative to the build context (${show(context, target.context)}), not to the Dockerfile: fix the path.`;
          findings.push(
            finding(
              context,
              instruction.line,
              "copy-source-exists",
              `${where}: ${rel} does not exist in the build context ${show(context, target.context)}. ${hint}`,
            ),
          );
          continue;
        }
        const files = statSync(path).isDirectory() ? filesUnder(path, rel === "." ? "" : rel) : [rel];
        if (files.length > 0 && files.every((file) => dockerIgnore.ignores(file))) {
          findings.push(
            finding(
              context,
              instruction.line,
              "copy-source-exists",
              `${where}: ${rel} is left out of the build context by ${show(context, dockerIgnore.file ?? ".dockerignore")}, ` +
                `so docker build fails. Re-include it with a "!${rel}" line after the pattern that excludes it.`,
            ),
          );
        }
      }
    }
  }
  return findings;
};

/** A function image's final stage has CMD ["<its handler>"], and the bundle exports that handler. */
export const handlerExported: Rule = (context) => {
  const fn = context.target.fn;
  const final = finalStage(context.dockerfile);
  if (!fn || !final) return [];
  const expected = fn.lambdaHandler;
  const configFile = show(context, join(fn.dir, "package.json"));
  const cmd = final.instructions.filter((i) => i.keyword === "CMD").at(-1);
  if (!cmd) {
    return [
      finding(
        context,
        final.line,
        "handler-exported",
        `The final stage has no CMD, so the entry point gets no handler. End it with CMD ["${expected}"] ` +
          `(the handler from ${configFile}).`,
      ),
    ];
  }
  if (cmd.json === undefined) {
    return [
      finding(
        context,
        cmd.line,
        "handler-exported",
        `CMD ${cmd.text} is in shell form, so the entry point gets "/bin/sh -c ..." instead of a handler. ` +
          `Write CMD ["${expected}"].`,
      ),
    ];
  }
  if (cmd.json.length !== 1 || cmd.json[0] !== expected) {
    return [
      finding(
        context,
        cmd.line,
        "handler-exported",
        `CMD names ${JSON.stringify(cmd.json)} but the function's handler is "${expected}" (lambda.handler in ` +
          `${configFile}). Write CMD ["${expected}"].`,
      ),
    ];
  }
  const bundle = show(context, fn.bundle);
  if (!existsSync(fn.bundle)) {
    return [
      finding(
        context,
        cmd.line,
        "handler-exported",
        `CMD ["${expected}"] cannot be checked: the bundle ${bundle} does not exist. Build the function first ` +
          "(pnpm build, which runs lambda-build).",
      ),
    ];
  }
  const exported = bundleExports(fn.bundle);
  if (!exported.includes(fn.handlerExport)) {
    const list = exported.length > 0 ? exported.join(", ") : "nothing";
    return [
      finding(
        context,
        cmd.line,
        "handler-exported",
        `CMD ["${expected}"]: the bundle ${bundle} does not export "${fn.handlerExport}" (it exports ${list}). ` +
          `Export the handler from ${show(context, fn.entry)} or fix lambda.handler in ${configFile}, then rebuild.`,
      ),
    ];
  }
  return [];
};

const ROOT_USERS = new Set(["root", "0", "root:root", "0:0"]);

/** The user a stage runs as: its last USER, else what it inherits from its lineage or a shared image. */
function effectiveUser(context: RuleContext, stage: ParsedStage): { user: string | undefined; line: number } {
  for (const ancestor of stageLineage(context.dockerfile, stage)) {
    const user = ancestor.instructions.filter((i) => i.keyword === "USER").at(-1);
    if (user) return { user: substitute(user.args[0] ?? "", context.dockerfile.globalArgs), line: user.line };
  }
  const root = stageLineage(context.dockerfile, stage).at(-1) ?? stage;
  const base = stageBase(context.dockerfile, root);
  if (base.kind === "image") return { user: context.baseImageUsers.get(base.reference), line: stage.line };
  return { user: undefined, line: stage.line };
}

/** Images not built on an AWS base run as an unprivileged user. */
export const nonRootUser: Rule = (context) => {
  if (context.target.strategy !== "non-aws") return [];
  const final = finalStage(context.dockerfile);
  if (!final) return [];
  const { user, line } = effectiveUser(context, final);
  if (user !== undefined && !ROOT_USERS.has(user)) return [];
  const as =
    user === undefined ? "root (no USER, and its base sets none that this lint knows of)" : `"${user}"`;
  return [
    finding(
      context,
      line,
      "non-root-user",
      `The final stage runs as ${as}. Images that are not built on an AWS base must run as an unprivileged ` +
        "user: add USER node (uid 1000 in the official Node.js image) after the last RUN, or build on " +
        "lambda-images/node-debian-slim, which does.",
    ),
  ];
};

/** The build context has a .dockerignore. */
export const dockerIgnorePresent: Rule = (context) => {
  if (context.dockerIgnore.file !== undefined) return [];
  const where = show(context, context.target.context);
  return [
    finding(
      context,
      0,
      "dockerignore",
      `The build context ${where} has no .dockerignore, so docker build sends everything in it (node_modules, ` +
        `sources, tests). Add ${where}/.dockerignore that lets in only what the Dockerfile copies, e.g. "*" then "!dist/".`,
    ),
  ];
};

const FORBIDDEN: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /NODE_EXTRA_CA_CERTS/i, what: "a CA bundle (NODE_EXTRA_CA_CERTS)" },
  { pattern: /ca-certificates\.crt/i, what: "a CA bundle (ca-certificates.crt)" },
  { pattern: /npm_config_cafile|\bcafile\b/i, what: "a CA bundle (npm cafile)" },
  { pattern: /AWS_SECRET_ACCESS_KEY/i, what: "AWS credentials (AWS_SECRET_ACCESS_KEY)" },
  { pattern: /AWS_ACCESS_KEY_ID/i, what: "AWS credentials (AWS_ACCESS_KEY_ID)" },
  { pattern: /AWS_SESSION_TOKEN/i, what: "AWS credentials (AWS_SESSION_TOKEN)" },
];

/** Shipped Dockerfiles carry no credentials and no CA bundles of a private network. */
export const noSecrets: Rule = (context) => {
  const findings: Finding[] = [];
  const lines: { line: number; keyword: string; text: string }[] = [
    ...[...context.dockerfile.globalArgs].map(([name, value]) => ({
      line: context.dockerfile.globalArgLines.get(name) ?? 0,
      keyword: "ARG",
      text: `${name}=${value ?? ""}`,
    })),
    ...context.dockerfile.stages.flatMap((stage) => [
      { line: stage.line, keyword: "FROM", text: stage.image },
      ...stage.instructions,
    ]),
  ];
  for (const { line, keyword, text } of lines) {
    for (const { pattern, what } of FORBIDDEN) {
      if (!pattern.test(text)) continue;
      findings.push(
        finding(
          context,
          line,
          "no-secrets",
          `${keyword} carries ${what}. Whatever a Dockerfile sets stays in the image's layers and history: pass ` +
            "credentials at run time (Lambda's execution role), and keep a private network's CA bundle in the " +
            "CI stand-in images (.ci/docker/stand-ins), never in a Dockerfile that ships.",
        ),
      );
    }
  }
  return findings;
};

const BUILD_TOOLS = new Set([
  "autoconf",
  "automake",
  "build-essential",
  "clang",
  "cmake",
  "cmake3",
  "g++",
  "gcc",
  "gcc-c++",
  "libtool",
  "make",
  "python3",
]);
const INSTALLERS: readonly (readonly string[])[] = [
  ["apt-get", "install"],
  ["apt", "install"],
  ["dnf", "install"],
  ["microdnf", "install"],
  ["yum", "install"],
  ["apk", "add"],
];

/** Build tools a RUN instruction installs with a package manager. */
export function installedBuildTools(run: ParsedInstruction): string[] {
  const found = new Set<string>();
  for (const command of run.text.split(/&&|\|\||;|\||\n/)) {
    const words = command.replace(/\\\s*/g, " ").trim().split(/\s+/);
    for (const [manager, verb] of INSTALLERS) {
      const at = words.indexOf(manager ?? "");
      if (at < 0 || !words.slice(at + 1).includes(verb ?? "")) continue;
      for (const word of words.slice(words.indexOf(verb ?? "", at) + 1)) {
        const name = (word.split("=")[0] ?? "").replace(/^["']|["']$/g, "");
        if (BUILD_TOOLS.has(name)) found.add(name);
      }
    }
  }
  return [...found];
}

/** The final stage (and the stages it is built FROM) installs no compilers or build tools. */
export const noBuildToolsInFinalStage: Rule = (context) => {
  const final = finalStage(context.dockerfile);
  if (!final) return [];
  const findings: Finding[] = [];
  for (const stage of stageLineage(context.dockerfile, final)) {
    for (const run of stage.instructions.filter((i) => i.keyword === "RUN")) {
      const tools = installedBuildTools(run);
      if (tools.length === 0) continue;
      const inherited = stage === final ? "" : ` (the final stage is built FROM stage "${stage.name}")`;
      findings.push(
        finding(
          context,
          run.line,
          "no-build-tools-in-final-stage",
          `RUN installs ${tools.join(", ")} into the final image${inherited}. Build tools stay in a builder stage: ` +
            "compile there and COPY --from=<builder> only the results.",
        ),
      );
    }
  }
  return findings;
};

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

export const RULES: Readonly<Record<string, Rule>> = {
  "pinned-base": pinnedBase,
  "runtime-defaults": runtimeDefaults,
  "copy-source-exists": copySourcesExist,
  "handler-exported": handlerExported,
  "non-root-user": nonRootUser,
  dockerignore: dockerIgnorePresent,
  "no-secrets": noSecrets,
  "no-build-tools-in-final-stage": noBuildToolsInFinalStage,
};
