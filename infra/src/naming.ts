/**
 * The names the app gives to its stacks and functions. The names publishing shares with the app (APP_NAME, a
 * function's repository, its image tags) live with the publish step: `@lambda-images/docker/records`.
 */
import { APP_NAME } from "@lambda-images/docker/records";

export function registryStackName(stage: string): string {
  return `${pascalCase(APP_NAME)}-${stage}-registry`;
}

export function functionsStackName(stage: string): string {
  return `${pascalCase(APP_NAME)}-${stage}-functions`;
}

/** Lambda limits function names to 64 characters. */
export const MAX_LAMBDA_NAME = 64;

/** The deployed Lambda function's name: "lambda-images-dev-hello". */
export function lambdaFunctionName(stage: string, functionName: string): string {
  const name = `${APP_NAME}-${stage}-${functionName}`;
  if (name.length > MAX_LAMBDA_NAME) {
    throw new Error(
      `Function "${functionName}" in stage "${stage}" would be deployed as "${name}" (${name.length} characters), ` +
        `but Lambda allows at most ${MAX_LAMBDA_NAME}: shorten the function name or the stage name.`,
    );
  }
  return name;
}

/** "hello-world" -> "HelloWorld": for construct ids and output names, which must be alphanumeric. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join("");
}
