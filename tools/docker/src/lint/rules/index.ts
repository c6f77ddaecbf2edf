/**
 * The project's own Dockerfile rules, one module each. Each takes a parsed Dockerfile and what it is for (its
 * target) and returns findings that say where, what is wrong and what to do. RULES is the order they run in.
 */
import type { Rule } from "./context.js";
import { copySourcesExist } from "./copy-source-exists.js";
import { dockerIgnorePresent } from "./dockerignore.js";
import { handlerExported } from "./handler-exported.js";
import { noBuildToolsInFinalStage } from "./no-build-tools-in-final-stage.js";
import { noSecrets } from "./no-secrets.js";
import { nonRootUser } from "./non-root-user.js";
import { pinnedBase } from "./pinned-base.js";
import { runtimeDefaults } from "./runtime-defaults.js";

export type { Rule, RuleContext } from "./context.js";

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
