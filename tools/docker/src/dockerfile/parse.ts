/**
 * A Dockerfile as the lint rules and the image builder see it: global ARG defaults, and stages made of
 * instructions with 1-based line numbers. Parsing is dockerfile-ast's; this only reshapes its answer.
 */
import { readFileSync } from "node:fs";
import { DockerfileParser, type Instruction, JSONInstruction, ModifiableInstruction } from "dockerfile-ast";

export interface ParsedInstruction {
  readonly keyword: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
  /** 1-based line where it ends (continuation lines included). */
  readonly endLine: number;
  /** The arguments as written (shell words or JSON strings, quotes kept), without flags. */
  readonly args: readonly string[];
  /** The JSON-array form's values (CMD ["index.handler"]), when the instruction uses it. */
  readonly json: readonly string[] | undefined;
  /** Flags such as --from=builder, by name. */
  readonly flags: ReadonlyMap<string, string | null>;
  /** The instruction's text without comments, continuation lines joined. */
  readonly text: string;
}

export interface ParsedStage {
  /** 0-based position in the file. */
  readonly index: number;
  /** The `AS name`, if any. */
  readonly name: string | undefined;
  /** 1-based line of the FROM. */
  readonly line: number;
  /** The image reference as written, e.g. "${BASE_IMAGE}" or "node:22-bookworm-slim". */
  readonly image: string;
  readonly instructions: readonly ParsedInstruction[];
}

export interface ParsedDockerfile {
  readonly file: string;
  /** ARGs declared before the first FROM, with their defaults (undefined: declared without one). */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  /** 1-based lines of the global ARGs. */
  readonly globalArgLines: ReadonlyMap<string, number>;
  readonly stages: readonly ParsedStage[];
}

function toParsedInstruction(instruction: Instruction): ParsedInstruction {
  const flags = new Map<string, string | null>();
  if (instruction instanceof ModifiableInstruction) {
    for (const flag of instruction.getFlags()) flags.set(flag.getName(), flag.getValue());
  }
  let json: string[] | undefined;
  if (instruction instanceof JSONInstruction) {
    const strings = instruction.getJSONStrings();
    if (strings.length > 0 && instruction.getOpeningBracket() !== null) {
      json = strings.map((s) => s.getJSONValue());
    }
  }
  return {
    keyword: instruction.getKeyword().toUpperCase(),
    line: instruction.getRange().start.line + 1,
    endLine: instruction.getRange().end.line + 1,
    args: instruction.getArguments().map((a) => a.getValue()),
    json,
    flags,
    text: instruction.getArgumentsContent() ?? "",
  };
}

export function parseDockerfileText(text: string, file: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string | undefined>();
  const globalArgLines = new Map<string, number>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (!property) continue;
    globalArgs.set(property.getName(), property.getValue() ?? undefined);
    globalArgLines.set(property.getName(), arg.getRange().start.line + 1);
  }

  const stages: ParsedStage[] = [];
  let current: {
    name: string | undefined;
    line: number;
    image: string;
    instructions: ParsedInstruction[];
  } | null = null;
  for (const instruction of dockerfile.getInstructions()) {
    const parsed = toParsedInstruction(instruction);
    if (parsed.keyword === "FROM") {
      if (current) stages.push({ index: stages.length, ...current });
      const [image = "", as, name] = parsed.args;
      current = {
        name: as?.toUpperCase() === "AS" ? name : undefined,
        line: parsed.line,
        image,
        instructions: [],
      };
    } else if (current) {
      current.instructions.push(parsed);
    }
  }
  if (current) stages.push({ index: stages.length, ...current });
  return { file, globalArgs, globalArgLines, stages };
}

export function parseDockerfile(file: string): ParsedDockerfile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${file}: cannot be read (${(error as Error).message}).`);
  }
  return parseDockerfileText(text, file);
}

/** The stage the image is built from when no --target is given: the last one. */
export function finalStage(dockerfile: ParsedDockerfile): ParsedStage | undefined {
  return dockerfile.stages.at(-1);
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The global ARGs the stages' FROM lines name (FROM ${BASE_IMAGE}): the base images a build argument can change. */
export function baseImageArgs(dockerfile: ParsedDockerfile): Set<string> {
  return new Set(dockerfile.stages.flatMap((stage) => variablesIn(stage.image)));
}

/** The names of the variables a string uses (${NAME}, $NAME). */
export function variablesIn(value: string): string[] {
  return [...value.matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? "");
}

/**
 * Substitutes variables from `values`; undefined when one of them has no value, so callers never act on a half
 * resolved reference.
 */
export function substitute(
  value: string,
  values: ReadonlyMap<string, string | undefined>,
): string | undefined {
  let missing = false;
  const result = value.replace(VARIABLE, (_match, braced: string | undefined, bare: string | undefined) => {
    const replacement = values.get(braced ?? bare ?? "");
    if (replacement === undefined) missing = true;
    return replacement ?? "";
  });
  return missing ? undefined : result;
}
