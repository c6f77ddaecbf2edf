/**
 * The local-only image target (images/local-emulator): a function's production image plus this project's emulator
 * (`lambda-local emulate`, bundled by @lambda-images/local-stack) as /usr/local/bin/aws-lambda-rie, tagged
 * `<function>:<strategy>-local`. Production images never carry it.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Strategy } from "@lambda-images/function-config";
import { EMULATOR_BUNDLE } from "@lambda-images/local-stack";

/** The folder of the local target's Dockerfile and emulator wrapper, relative to the workspace root. */
export const LOCAL_TARGET_FOLDER = join("images", "local-emulator");
/** The wrapper the images' entry points start: `aws-lambda-rie /var/runtime/bootstrap`. */
export const EMULATOR_WRAPPER = "aws-lambda-rie";

/** `os-only-local`: the tag of the local image, next to the production `os-only`. */
export function localImageTag(strategy: Strategy): string {
  return `${strategy}-local`;
}

export interface LocalTargetContext {
  /** A throwaway build context: Dockerfile, aws-lambda-rie, emulator.mjs. */
  readonly dir: string;
  readonly dockerfile: string;
  dispose(): void;
}

/** Puts the local target's Dockerfile, its wrapper and the emulator bundle together as one build context. */
export function assembleLocalTarget(
  root: string,
  emulatorBundle: string = EMULATOR_BUNDLE,
): LocalTargetContext {
  const source = join(root, LOCAL_TARGET_FOLDER);
  for (const file of ["Dockerfile", EMULATOR_WRAPPER]) {
    if (!existsSync(join(source, file))) {
      throw new Error(
        `${join(LOCAL_TARGET_FOLDER, file)} is missing: the local image target cannot be built.`,
      );
    }
  }
  if (!existsSync(emulatorBundle)) {
    throw new Error(
      `The emulator bundle ${relative(root, emulatorBundle)} is missing: build it with ` +
        "`pnpm --filter @lambda-images/local-stack build` (pnpm build does it too), then try again.",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "lambda-image-local-"));
  const dockerfile = join(dir, "Dockerfile");
  copyFileSync(join(source, "Dockerfile"), dockerfile);
  copyFileSync(join(source, EMULATOR_WRAPPER), join(dir, EMULATOR_WRAPPER));
  copyFileSync(emulatorBundle, join(dir, "emulator.mjs"));
  // COPY keeps these modes: the image's user (root or not) can read the bundle and run the wrapper.
  chmodSync(dockerfile, 0o644);
  chmodSync(join(dir, EMULATOR_WRAPPER), 0o755);
  chmodSync(join(dir, "emulator.mjs"), 0o644);
  return { dir, dockerfile, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
