/**
 * The reserved environment variables Lambda sets for every function, as a test sees them. Values a test sets
 * itself win: this only fills in what is missing, so `LOG_LEVEL=DEBUG pnpm test` still works.
 */
export const lambdaTestEnv = {
  AWS_REGION: "eu-west-1",
  AWS_DEFAULT_REGION: "eu-west-1",
  AWS_LAMBDA_FUNCTION_NAME: "test-function",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/test-function",
  AWS_LAMBDA_LOG_STREAM_NAME: "2026/01/01/[$LATEST]00000000000000000000000000000000",
  AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
  POWERTOOLS_SERVICE_NAME: "test-function",
  POWERTOOLS_DEV: "false",
  LOG_LEVEL: "SILENT",
  TZ: "UTC",
};

for (const [name, value] of Object.entries(lambdaTestEnv)) {
  process.env[name] ??= value;
}
