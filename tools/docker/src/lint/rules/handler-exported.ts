import { existsSync } from "node:fs";
import { join } from "node:path";
import { finalStage } from "../../dockerfile/parse.js";
import { bundleExports } from "../bundle-exports.js";
import { finding, type Rule, show } from "./context.js";

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
