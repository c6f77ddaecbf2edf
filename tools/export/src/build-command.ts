/**
 * lambda-build's esbuild settings, rendered as one `esbuild` command line for a standalone package.json. The
 * settings are not written here: they come from @lambda-images/build (resolvedEsbuildOptions) and every option
 * is translated to its command-line flag. An option this file does not know fails the export, so a setting added
 * to the build tool can never be silently left out of an exported build.
 */
import { relative, sep } from "node:path";
import type { resolvedEsbuildOptions } from "@lambda-images/build";
import type { FunctionDefinition } from "@lambda-images/function-config";

type BuildOptions = Awaited<ReturnType<typeof resolvedEsbuildOptions>>;

type Rendered = readonly string[];

function posixRelative(from: string, to: string): string {
  return relative(from, to).split(sep).join("/");
}

function flag(name: string, value: string | boolean): string {
  return value === true ? `--${name}` : `--${name}=${String(value)}`;
}

/** A word for `sh -c` (npm runs scripts with sh): single-quoted when it has anything but plain characters. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The esbuild command-line arguments that build what `options` builds, run from the function folder. `metafile`
 * names the file the metafile goes to (the JS API returns it instead of writing it).
 */
export function esbuildArgs(fn: FunctionDefinition, options: BuildOptions, metafile: string): Rendered {
  const args: string[] = [];
  const unsupported = (key: string) =>
    new Error(
      `esbuild option ${key}=${JSON.stringify(Object.entries(options).find(([k]) => k === key)?.[1])} has no command-line rendering in ` +
        "lambda-export: add one to tools/export/src/build-command.ts.",
    );
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    switch (key) {
      case "absWorkingDir":
        if (value !== fn.dir) throw unsupported(key);
        break;
      case "entryPoints":
        if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string"))
          throw unsupported(key);
        args.unshift(...value.map((entry: string) => posixRelative(fn.dir, entry)));
        break;
      case "outfile":
        args.push(flag("outfile", posixRelative(fn.dir, String(value))));
        break;
      case "bundle":
      case "minify":
      case "sourcemap":
        if (value === true) args.push(flag(key, true));
        else if (value !== false) throw unsupported(key);
        break;
      case "treeShaking":
        args.push(`--tree-shaking=${String(value)}`);
        break;
      case "sourcesContent":
        args.push(`--sources-content=${String(value)}`);
        break;
      case "platform":
      case "format":
      case "charset":
        args.push(flag(key, String(value)));
        break;
      case "target":
        args.push(flag("target", Array.isArray(value) ? value.join(",") : String(value)));
        break;
      case "mainFields":
        if (!Array.isArray(value)) throw unsupported(key);
        args.push(flag("main-fields", value.join(",")));
        break;
      case "external":
        if (!Array.isArray(value)) throw unsupported(key);
        for (const name of value as string[]) args.push(`--external:${name}`);
        break;
      case "banner":
        for (const [type, text] of Object.entries(value as Record<string, string>)) {
          args.push(`--banner:${type}=${text}`);
        }
        break;
      case "metafile":
        if (value === true) args.push(flag("metafile", metafile));
        break;
      // The JS API returns the files and lambda-build writes them; the command line writes them itself.
      case "write":
      // lambda-build prints its own report; the command line keeps esbuild's default messages.
      case "logLevel":
        break;
      default:
        throw unsupported(key);
    }
  }
  return args;
}

/** `esbuild <args>` as an npm script. */
export function esbuildCommand(args: Rendered): string {
  return ["esbuild", ...args].map(shellWord).join(" ");
}
