/**
 * .dockerignore matching as Docker does it: patterns are cleaned paths relative to the context root, `*` and `?`
 * stay within a path segment, `**` spans segments, `!` re-includes, the last matching line wins, and a pattern
 * that matches a folder matches everything in it. Like Docker's classic builder, a folder that is left out is not
 * even walked unless a `!` line spells out its name (`!dist/...`): `*` then `!*\/Dockerfile` sends no Dockerfile.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";

interface IgnorePattern {
  readonly pattern: string;
  readonly negated: boolean;
  readonly regex: RegExp;
}

export interface DockerIgnore {
  /** The .dockerignore file, or undefined when the context has none (nothing is ignored). */
  readonly file: string | undefined;
  /** True when `path` (relative to the context, "/"-separated) is left out of the build context. */
  ignores(path: string): boolean;
}

function globToRegex(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i);
    if (char === "*") {
      if (glob.charAt(i + 1) === "*") {
        // "**/" matches zero or more folders; a trailing "**" matches everything below.
        const slash = glob.charAt(i + 2) === "/";
        source += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else {
        source += "[^/]*";
      }
    } else if (char === "?") {
      source += "[^/]";
    } else if (char === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) {
        source += "\\[";
      } else {
        source += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (char === "\\" && i + 1 < glob.length) {
      source += `\\${glob.charAt(i + 1)}`;
      i += 1;
    } else {
      source += char.replace(/[.+^${}()|]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

export function parseDockerIgnore(text: string, file?: string): DockerIgnore {
  const patterns: IgnorePattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    const cleaned = posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, "");
    if (cleaned === "" || cleaned === ".") continue;
    patterns.push({ pattern: cleaned, negated, regex: globToRegex(cleaned) });
  }
  return {
    file,
    ignores(path: string): boolean {
      const parts = posix
        .normalize(path)
        .replace(/^\/+|\/+$/g, "")
        .split("/");
      const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
      const matches = (upTo: number) => {
        let ignored = false;
        for (const { regex, negated } of patterns) {
          if (prefixes.slice(0, upTo + 1).some((prefix) => regex.test(prefix))) ignored = !negated;
        }
        return ignored;
      };
      // A left-out folder is skipped whole unless a "!" pattern starts with its name.
      for (let i = 0; i < prefixes.length - 1; i++) {
        const folder = `${prefixes[i]}/`;
        const reopened = patterns.some((p) => p.negated && `${p.pattern}/`.startsWith(folder));
        if (matches(i) && !reopened) return true;
      }
      return matches(prefixes.length - 1);
    },
  };
}

/** The .dockerignore of the build context `contextDir` (Docker reads only the one at the context root). */
export function loadDockerIgnore(contextDir: string): DockerIgnore {
  const file = join(contextDir, ".dockerignore");
  if (!existsSync(file)) return { file: undefined, ignores: () => false };
  return parseDockerIgnore(readFileSync(file, "utf8"), file);
}
