/**
 * What changed between two versions of a function's config, for `lambda-local dev`'s live reload: one readable
 * description per change and what the stack must redo. Pure: no I/O.
 */
import type { FunctionDefinition } from "@lambda-images/function-config";

export interface FunctionChanges {
  /** "routes GET /hi added", "timeout 5 -> 10 s", ...; empty when nothing the stack uses changed. */
  readonly descriptions: readonly string[];
  /** The HTTP API's route table must be rebuilt. */
  readonly routes: boolean;
  /** The function's instances must be replaced (memory, timeout, environment, runtime, handler, ...). */
  readonly instances: boolean;
  /** The Function URL must be started, stopped or restarted. */
  readonly functionUrl: boolean;
  /** The build watcher must be restarted (entry or build options changed). */
  readonly build: boolean;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function listChanges(label: string, before: readonly string[], after: readonly string[]): string[] {
  const added = after.filter((item) => !before.includes(item));
  const removed = before.filter((item) => !after.includes(item));
  return [
    ...(added.length > 0 ? [`${label} ${added.join(", ")} added`] : []),
    ...(removed.length > 0 ? [`${label} ${removed.join(", ")} removed`] : []),
  ];
}

/** Environment changes by variable name only: values may be secrets and are never printed. */
function environmentChanges(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  const changed = Object.keys(after).filter((key) => key in before && before[key] !== after[key]);
  return [
    ...listChanges("environment", Object.keys(before), Object.keys(after)),
    ...(changed.length > 0 ? [`environment ${changed.join(", ")} changed`] : []),
  ];
}

function describeUrl(url: FunctionDefinition["functionUrl"]): string {
  return url === undefined ? "none" : `${url.invokeMode}, auth ${url.authType}`;
}

/** Compares two definitions of the same function (`before` served, `after` just loaded). */
export function diffFunction(before: FunctionDefinition, after: FunctionDefinition): FunctionChanges {
  const descriptions: string[] = [];
  const routes = listChanges(
    "routes",
    before.routes.map((route) => route.routeKey),
    after.routes.map((route) => route.routeKey),
  );
  descriptions.push(...routes);
  if (before.memorySize !== after.memorySize) {
    descriptions.push(`memory ${before.memorySize} -> ${after.memorySize} MB`);
  }
  if (before.timeout !== after.timeout) descriptions.push(`timeout ${before.timeout} -> ${after.timeout} s`);
  descriptions.push(...environmentChanges(before.environment, after.environment));
  if (before.runtime !== after.runtime) descriptions.push(`runtime ${before.runtime} -> ${after.runtime}`);
  if (before.handlerExport !== after.handlerExport) {
    descriptions.push(`handler ${before.handlerExport} -> ${after.handlerExport}`);
  }
  const functionUrl = !same(before.functionUrl, after.functionUrl);
  if (functionUrl) {
    descriptions.push(
      before.functionUrl === undefined
        ? `Function URL added (${describeUrl(after.functionUrl)})`
        : after.functionUrl === undefined
          ? "Function URL removed"
          : `Function URL ${describeUrl(before.functionUrl)} -> ${describeUrl(after.functionUrl)}`,
    );
  }
  const build = before.entry !== after.entry || !same(before.build, after.build);
  if (build) descriptions.push("build options changed");
  // Fields the local stack does not act on beyond the instances' settings, named so the line is never silent.
  const others = (["strategy", "architecture", "async", "sqs", "logRetentionDays", "description"] as const)
    .filter((key) => !same(before[key], after[key]))
    .map((key) => `${key} changed`);
  descriptions.push(...others);
  const instances =
    before.memorySize !== after.memorySize ||
    before.timeout !== after.timeout ||
    !same(before.environment, after.environment) ||
    before.runtime !== after.runtime ||
    before.handlerExport !== after.handlerExport ||
    before.architecture !== after.architecture ||
    before.strategy !== after.strategy ||
    !same(before.async, after.async);
  return { descriptions, routes: routes.length > 0, instances, functionUrl, build };
}

/** The line dev prints for a change: "[config] hello: routes GET /hi added; timeout 5 -> 10 s". */
export function changeLine(name: string, descriptions: readonly string[]): string {
  return `[config] ${name}: ${descriptions.join("; ")}`;
}
