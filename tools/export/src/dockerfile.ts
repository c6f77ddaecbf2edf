/**
 * A function's Dockerfile made self-contained: where it starts FROM a shared base image of the workspace
 * (ARG BASE_IMAGE=lambda-images/node-os-only:24), the base's own Dockerfile under images/ is rendered in front of
 * it as stages named base-*, its COPY sources are copied along under the same paths, and the function's stages
 * start FROM the base's final stage. Dockerfiles on public bases only (Dockerfile.aws-base) are kept as they are.
 */
import { readFileSync } from "node:fs";
import { basename, join, posix, relative, sep } from "node:path";
import {
  type BaseImageDefinition,
  baseImageArgs,
  type ParsedDockerfile,
  type ParsedInstruction,
  parseDockerfile,
  parseDockerfileText,
} from "@lambda-images/docker";

export interface RenderedDockerfile {
  readonly text: string;
  /** The shared base built inline, when there is one. */
  readonly base?: BaseImageDefinition;
  /** Files the Dockerfile copies from the build context: absolute source, path in the export (posix). */
  readonly files: readonly { readonly from: string; readonly to: string }[];
}

/** The prefix of the base's stage names in a rendered Dockerfile. */
export const BASE_STAGE_PREFIX = "base-";

function lines(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}

/** 0-based index of the first instruction line (the first global ARG or the first FROM). */
function firstInstructionIndex(dockerfile: ParsedDockerfile): number {
  const argLines = [...dockerfile.globalArgLines.values()];
  return Math.min(...argLines, dockerfile.stages[0]?.line ?? 1) - 1;
}

/**
 * Drops a Dockerfile's header comment (it tells how the file is built where it lives) but keeps the comment
 * paragraph attached to the first instruction. Returns the index of the first line kept.
 */
function afterHeader(text: string[], dockerfile: ParsedDockerfile): number {
  let start = firstInstructionIndex(dockerfile);
  while (start > 0 && text[start - 1]?.trimStart().startsWith("#")) start -= 1;
  return start;
}

function sourcesOf(instruction: ParsedInstruction): string[] {
  return (instruction.json ?? instruction.args).slice(0, -1);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces whole words (shell words, or JSON strings) of lines [line, endLine] (1-based). */
function replaceWords(text: string[], instruction: ParsedInstruction, from: string, to: string): void {
  const word = new RegExp(`(^|\\s|")${escapeRegExp(from)}(?=\\s|"|$)`, "g");
  for (let i = instruction.line - 1; i < instruction.endLine; i += 1) {
    text[i] = (text[i] ?? "").replace(word, (_m, before: string) => `${before}${to}`);
  }
}

function renameFromFlag(text: string[], instruction: ParsedInstruction, from: string, to: string): void {
  const pattern = new RegExp(`--from=${escapeRegExp(from)}(?=\\s|$)`, "g");
  for (let i = instruction.line - 1; i < instruction.endLine; i += 1) {
    text[i] = (text[i] ?? "").replace(pattern, `--from=${to}`);
  }
}

function readText(file: string): string {
  return readFileSync(file, "utf8");
}

interface Context {
  readonly root: string;
  readonly display: string;
}

/** The base's lines after its header, its stages renamed base-* and its COPY sources moved under their workspace path. */
function renderBase(base: BaseImageDefinition, context: Context) {
  const parsed = parseDockerfile(base.dockerfile);
  const text = lines(readText(base.dockerfile));
  const names = new Map<string, string>();
  parsed.stages.forEach((stage, index) => {
    const isFinal = index === parsed.stages.length - 1;
    if (stage.name !== undefined) names.set(stage.name, `${BASE_STAGE_PREFIX}${stage.name}`);
    else if (isFinal) names.set("", "base");
  });
  const files: { from: string; to: string }[] = [];
  const where = relative(context.root, base.dockerfile).split(sep).join("/");
  for (const stage of parsed.stages) {
    const fromIndex = stage.line - 1;
    const image = names.get(stage.image);
    let fromLine = text[fromIndex] ?? "";
    if (image !== undefined)
      fromLine = fromLine.replace(new RegExp(`(FROM\\s+)${escapeRegExp(stage.image)}`, "i"), `$1${image}`);
    if (stage.name !== undefined) {
      fromLine = fromLine.replace(
        new RegExp(`(\\sAS\\s+)${escapeRegExp(stage.name)}\\s*$`, "i"),
        `$1${names.get(stage.name) ?? stage.name}`,
      );
    } else if (stage === parsed.stages.at(-1)) {
      fromLine = `${fromLine.trimEnd()} AS base`;
    }
    text[fromIndex] = fromLine;
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") continue;
      const fromFlag = instruction.flags.get("from");
      if (fromFlag !== undefined) {
        const renamed = fromFlag === null ? undefined : names.get(fromFlag);
        if (renamed !== undefined && fromFlag !== null) renameFromFlag(text, instruction, fromFlag, renamed);
        continue;
      }
      for (const source of sourcesOf(instruction)) {
        if (/[*?[$]/.test(source) || /^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
          throw new Error(
            `${where}:${instruction.line}: ${instruction.keyword} ${source}: lambda-export copies plain paths only ` +
              "(no wildcards, variables or URLs) into a standalone build context. Name the files one by one.",
          );
        }
        const inContext = posix.normalize(source).replace(/^(\.\/|\/)+/, "");
        const inExport = relative(context.root, join(base.context, inContext)).split(sep).join("/");
        if (inExport.startsWith("..")) {
          throw new Error(
            `${where}:${instruction.line}: ${source} is outside the workspace; it cannot be exported.`,
          );
        }
        files.push({ from: join(base.context, inContext), to: inExport });
        replaceWords(text, instruction, source, inExport);
      }
    }
  }
  const start = afterHeader(text, parsed);
  const firstFrom = (parsed.stages[0]?.line ?? 1) - 1;
  return {
    parsed,
    names,
    finalName: names.get(parsed.stages.at(-1)?.name ?? "") ?? "base",
    preamble: text.slice(start, firstFrom),
    stages: text.slice(firstFrom),
    files,
    where,
  };
}

/**
 * Renders `dockerfile` (a function's Dockerfile.<strategy>) for a standalone copy: unchanged when it starts from
 * public images only; with the shared base built inline when one of its FROMs names a shared image.
 */
export function renderDockerfile(
  dockerfile: string,
  bases: readonly BaseImageDefinition[],
  context: Context & { readonly imageTag: string },
): RenderedDockerfile {
  const original = readText(dockerfile);
  const parsed = parseDockerfileText(original, dockerfile);
  const baseArgs = [...baseImageArgs(parsed)].flatMap((arg) => {
    const reference = parsed.globalArgs.get(arg);
    const base = bases.find((image) => image.reference === reference);
    return base === undefined ? [] : [{ arg, base }];
  });
  const literal = parsed.stages.find((stage) => bases.some((image) => image.reference === stage.image));
  if (literal !== undefined) {
    throw new Error(
      `${context.display}:${literal.line}: FROM ${literal.image} names a shared image directly; write ` +
        `ARG BASE_IMAGE=${literal.image} before the first FROM and FROM \${BASE_IMAGE}, as the other Dockerfiles do.`,
    );
  }
  const first = baseArgs[0];
  if (first === undefined) return { text: original, files: [] };
  if (baseArgs.some(({ base }) => base !== first.base)) {
    throw new Error(`${context.display}: starts from more than one shared image; lambda-export inlines one.`);
  }
  const base = renderBase(first.base, context);
  const text = lines(original);

  const problems: string[] = [];
  for (const stage of parsed.stages) {
    if (stage.name !== undefined && [...base.names.values()].includes(stage.name)) {
      problems.push(`stage "${stage.name}" has the name of a stage of ${base.where}; rename it`);
    }
  }
  // Global ARGs: the one naming the shared image goes (its stages now start FROM the base's final stage); others
  // join the base's, which must give them the same default.
  const dropped = new Set<number>();
  const extraArgs: string[] = [];
  for (const [name, value] of parsed.globalArgs) {
    const line = parsed.globalArgLines.get(name) ?? 0;
    dropped.add(line - 1);
    if (baseArgs.some(({ arg }) => arg === name)) continue;
    if (base.parsed.globalArgs.has(name)) {
      const theirs = base.parsed.globalArgs.get(name);
      if (theirs !== value) {
        problems.push(
          `ARG ${name}=${value ?? ""} differs from ${base.where}'s ARG ${name}=${theirs ?? ""}; make them agree`,
        );
      }
      continue;
    }
    extraArgs.push(text[line - 1] ?? "");
  }
  if (problems.length > 0) throw new Error(`${context.display}: ${problems.join("; ")}.`);
  for (const stage of parsed.stages) {
    const arg = baseArgs.find(({ arg }) => stage.image === `\${${arg}}` || stage.image === `$${arg}`);
    if (arg === undefined) continue;
    text[stage.line - 1] = (text[stage.line - 1] ?? "").replace(stage.image, base.finalName);
  }
  const firstFrom = (parsed.stages[0]?.line ?? 1) - 1;
  const own = text.slice(firstFrom);
  const overridable = [...base.parsed.globalArgs.keys()].filter((arg) =>
    base.parsed.stages.some((stage) => stage.image.includes(arg)),
  );
  const header = [
    `# ${context.imageTag}, self-contained: the stages named ${BASE_STAGE_PREFIX}* build the base image ${first.base.reference}`,
    `# inline, rendered by lambda-export from the workspace's ${base.where} (the files it copies are under`,
    `# ${[...new Set(base.files.map((file) => posix.dirname(file.to)))].join(", ")}/ here). From this folder, after \`npm run build\`:`,
    `#   docker build -f ${basename(dockerfile)} -t ${context.imageTag} .`,
    `# The public images it starts from are pinned and overridable for a mirror or a digest: ${overridable.map((arg) => `--build-arg ${arg}=...`).join(", ")}`,
    "",
  ];
  const body = [
    ...base.preamble,
    ...extraArgs,
    "",
    ...base.stages,
    "",
    `# The function's image, on the base above (${basename(dockerfile)} of the function in the workspace).`,
    ...own.filter((_line, index) => !dropped.has(firstFrom + index)),
  ];
  return {
    text: `${[...header, ...body].join("\n").replace(/\n{3,}/g, "\n\n")}\n`,
    base: first.base,
    files: base.files,
  };
}
