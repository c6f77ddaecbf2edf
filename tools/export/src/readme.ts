/** The README of a standalone copy: how to build, test, image and deploy it without the workspace. */
import { type FunctionDefinition, SOURCE_MAP_NODE_OPTIONS } from "@lambda-images/function-config";
import type { ExportReport } from "./export.js";
import type { PackageManifest } from "./workspace.js";

function list(items: readonly string[]): string {
  return items.map((item) => `- ${item}`).join("\n");
}

/** The deployed function's settings, as `aws lambda create-function` takes them. */
function createFunctionCommand(fn: FunctionDefinition, name: string): string {
  const variables = {
    ...fn.environment,
    NODE_OPTIONS: fn.environment.NODE_OPTIONS ?? SOURCE_MAP_NODE_OPTIONS,
  };
  const environment = JSON.stringify({ Variables: variables });
  return [
    `aws lambda create-function --function-name ${name} --package-type Image \\`,
    `  --code ImageUri=$REPO@$DIGEST --role arn:aws:iam::$ACCOUNT:role/$ROLE \\`,
    `  --memory-size ${fn.memorySize} --timeout ${fn.timeout} --architectures ${fn.architecture} \\`,
    `  --environment '${environment}'`,
  ].join("\n");
}

function triggers(fn: FunctionDefinition): string[] {
  const out: string[] = [];
  if (fn.routes.length > 0) {
    out.push(
      `HTTP API (payload format 2.0) routes ${fn.routes.map((r) => `\`${r.routeKey}\``).join(", ")}: create an HTTP ` +
        "API with a Lambda integration for each (`aws apigatewayv2 create-api`, `create-integration`, `create-route`) " +
        "and allow API Gateway to invoke the function (`aws lambda add-permission`).",
    );
  }
  if (fn.sqs !== undefined) {
    out.push(
      `An SQS queue (batch size ${fn.sqs.batchSize}, batching window ${fn.sqs.maxBatchingWindowSeconds} s, a ` +
        `dead-letter queue after ${fn.sqs.maxReceiveCount} receives): \`aws lambda create-event-source-mapping\` ` +
        "with `--function-response-types ReportBatchItemFailures`.",
    );
  }
  if (fn.functionUrl !== undefined) {
    out.push(
      `A Function URL (\`${fn.functionUrl.invokeMode}\`, auth \`${fn.functionUrl.authType}\`): ` +
        `\`aws lambda create-function-url-config --invoke-mode ${fn.functionUrl.invokeMode} --auth-type ${fn.functionUrl.authType}\`.`,
    );
  }
  return out;
}

export function renderReadme(
  fn: FunctionDefinition,
  manifest: PackageManifest,
  report: ExportReport,
  { about }: { readonly about: string | undefined },
): string {
  const name = report.name;
  const images = report.dockerfiles.map(({ file, base }) => {
    const strategy = file.slice("Dockerfile.".length);
    const how =
      base === undefined
        ? "starts from public images only"
        : `builds its base (\`${base}\` in the workspace) inline, in the stages named \`base-*\``;
    return `\`npm run image:${strategy}\`: \`${file}\` ${how}.`;
  });
  const deployed = report.dockerfiles.find(({ file }) => file === `Dockerfile.${fn.strategy}`)?.file;
  const sections = [
    `# ${name}`,
    "",
    manifest.description ?? fn.description ?? "",
    "",
    `A standalone copy of the function \`${fn.name}\`, written by \`lambda-export\` from the workspace it was ` +
      "developed in: plain npm, esbuild, TypeScript and Vitest, and Dockerfiles that build on their own. " +
      (about === undefined ? "" : `What the function does and how it answers: [${about}](${about}).`),
    "",
    "## Build, test, image",
    "",
    "Node.js and npm (and Docker for the images):",
    "",
    "```sh",
    "npm install",
    "npm run build       # dist/index.mjs (+ .map, meta.json): one esbuild command, see package.json",
    "npm test            # builds first: the tests also check the built bundle",
    "npm run typecheck",
    ...report.dockerfiles.map(({ file }) => `npm run image:${file.slice("Dockerfile.".length)}`),
    "```",
    "",
    `The build command is the workspace's \`lambda-build\` settings, rendered: the same bundle, for ` +
      `\`${fn.runtime}\`'s Node.js.`,
    "",
    list(images),
    "",
    "Each Dockerfile's base images are pinned and overridable for a mirror or a digest with " +
      "`--build-arg BASE_IMAGE=...` (and `NODE_IMAGE` where it has one): `npm run image:<strategy> -- --build-arg BASE_IMAGE=...`.",
    "",
    "## Config",
    "",
    "The `\"lambda\"` block of `package.json` is the function's config as the workspace's tools read it: nothing " +
      "here reads it any more, it documents what the deployed function needs:",
    "",
    list([
      `runtime \`${fn.runtime}\`, handler \`${fn.lambdaHandler}\`, architecture \`${fn.architecture}\``,
      `memory ${fn.memorySize} MB, timeout ${fn.timeout} s`,
      `environment: ${
        Object.keys(fn.environment).length === 0
          ? "none"
          : Object.entries(fn.environment)
              .map(([k, v]) => `\`${k}=${v}\``)
              .join(", ")
      }`,
      `deployed image: \`${deployed ?? `Dockerfile.${fn.strategy}`}\` (strategy \`${fn.strategy}\`)`,
      ...triggers(fn),
    ]),
    "",
    "## Deploy",
    "",
    "An ECR repository for the function, the image pushed to it, a function created from the image by digest:",
    "",
    "```sh",
    "ACCOUNT=123456789012 REGION=eu-west-1 ROLE=my-lambda-execution-role",
    `REPO=$ACCOUNT.dkr.ecr.$REGION.amazonaws.com/${name}`,
    `aws ecr create-repository --repository-name ${name} --image-scanning-configuration scanOnPush=true`,
    "aws ecr get-login-password --region $REGION | docker login --username AWS --password-stdin $ACCOUNT.dkr.ecr.$REGION.amazonaws.com",
    `npm run image:${fn.strategy} -- --platform linux/${fn.architecture === "arm64" ? "arm64" : "amd64"}`,
    `docker tag ${name}:${fn.strategy} $REPO:${manifest.version ?? "0.0.0"}`,
    `docker push $REPO:${manifest.version ?? "0.0.0"}`,
    `DIGEST=$(aws ecr describe-images --repository-name ${name} --image-ids imageTag=${manifest.version ?? "0.0.0"} --query 'imageDetails[0].imageDigest' --output text)`,
    createFunctionCommand(fn, name),
    "```",
    "",
    "The role needs `AWSLambdaBasicExecutionRole` (logs) at least. An update is the same build and push, then " +
      `\`aws lambda update-function-code --function-name ${name} --image-uri $REPO@$DIGEST\`.`,
    "",
    "## What changed from the workspace",
    "",
    list([
      ...report.pinned.map(
        (p) => `\`${p.name}\`: \`${p.spec}\` pinned to \`${p.version}\` (the workspace's catalog)`,
      ),
      ...report.replaced.map((r) => `\`${r.name}\` dropped; in its place: ${r.by}`),
      ...report.leftOut.map((l) => `\`${l.what}\` left out: ${l.reason}`),
    ]),
    "",
  ];
  return `${sections.join("\n").replace(/\n{3,}/g, "\n\n")}`;
}
