/**
 * Every name the app gives to AWS resources, in one place, so the CDK stacks and the publish step cannot disagree
 * about where a function's image lives.
 */

/** The prefix of every stack, repository and function name. */
export const APP_NAME = "lambda-images";

/** The ECR repository of one function in one stage: "lambda-images/dev/hello". */
export function repositoryName(stage: string, functionName: string): string {
  return `${APP_NAME}/${stage}/${functionName}`;
}

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

/**
 * The image tag the publish step pushes: the function's version and the image's content hash, so a tag names one
 * image forever (the repositories are immutable) and an unchanged function maps to a tag that already exists.
 */
export function contentTag(version: string, contentHash: string): string {
  const hash = contentHash.replace(/^sha256:/, "").slice(0, 12);
  if (!/^[a-f0-9]{12}$/.test(hash)) {
    throw new Error(`Content hash "${contentHash}" is not a hex digest of at least 12 characters.`);
  }
  const safeVersion = version.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `v${safeVersion}-${hash}`;
}
