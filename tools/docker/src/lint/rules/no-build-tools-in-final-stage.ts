import { finalStage, type ParsedInstruction } from "../../dockerfile/parse.js";
import type { Finding } from "../findings.js";
import { stageLineage } from "../stages.js";
import { finding, type Rule } from "./context.js";

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
