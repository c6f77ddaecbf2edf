import { repositoryName } from "@lambda-images/docker/records";
import {
  type Architecture,
  type FunctionDefinition,
  type HttpMethod,
  SOURCE_MAP_NODE_OPTIONS,
} from "@lambda-images/function-config";
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { lambdaFunctionName, pascalCase } from "./naming.js";
import type { StageSettings } from "./settings.js";

export interface FunctionsStackProps extends StackProps {
  readonly functions: readonly FunctionDefinition[];
  /** The image digest ("sha256:...") each function is deployed with, by function name. */
  readonly digests: ReadonlyMap<string, string>;
  readonly settings: StageSettings;
}

const ARCHITECTURES: Record<Architecture, lambda.Architecture> = {
  x86_64: lambda.Architecture.X86_64,
  arm64: lambda.Architecture.ARM_64,
};

const METHODS: Record<HttpMethod, apigw.HttpMethod> = {
  GET: apigw.HttpMethod.GET,
  POST: apigw.HttpMethod.POST,
  PUT: apigw.HttpMethod.PUT,
  PATCH: apigw.HttpMethod.PATCH,
  DELETE: apigw.HttpMethod.DELETE,
  HEAD: apigw.HttpMethod.HEAD,
  OPTIONS: apigw.HttpMethod.OPTIONS,
  ANY: apigw.HttpMethod.ANY,
};

/**
 * The environment a function runs with: source maps on (the map ships in the image), Powertools defaults for the
 * stage, then the function's own settings.
 */
export function functionEnvironment(fn: FunctionDefinition, settings: StageSettings): Record<string, string> {
  return {
    NODE_OPTIONS: SOURCE_MAP_NODE_OPTIONS,
    POWERTOOLS_SERVICE_NAME: fn.name,
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
    ...fn.environment,
  };
}

/** Every function as a container-image Lambda pinned to its digest, and one HTTP API for all their routes. */
export class FunctionsStack extends Stack {
  /** The deployed function of each function name. */
  readonly functions: ReadonlyMap<string, lambda.DockerImageFunction>;
  /** The queue (and its dead-letter queue) of each function with an SQS trigger. */
  readonly queues = new Map<string, { readonly queue: sqs.Queue; readonly deadLetterQueue: sqs.Queue }>();
  /** The Function URL of each function that has one. */
  readonly functionUrls = new Map<string, lambda.FunctionUrl>();
  /** Undefined when no function declares a route. */
  readonly httpApi: apigw.HttpApi | undefined;

  constructor(scope: Construct, id: string, props: FunctionsStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const removalPolicy = settings.throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const deployed = new Map<string, lambda.DockerImageFunction>();

    for (const fn of props.functions) {
      const digest = props.digests.get(fn.name);
      if (digest === undefined) throw new Error(`No image digest given for function "${fn.name}".`);
      const id = pascalCase(fn.name);
      const functionName = lambdaFunctionName(settings.stage, fn.name);
      const repository = ecr.Repository.fromRepositoryName(
        this,
        `${id}Repository`,
        repositoryName(settings.stage, fn.name),
      );

      const logGroup = new logs.LogGroup(this, `${id}Logs`, {
        logGroupName: `/aws/lambda/${functionName}`,
        // The config schema accepts only the periods CloudWatch Logs offers: exactly RetentionDays' values.
        retention: fn.logRetentionDays as logs.RetentionDays,
        removalPolicy,
      });

      // Least privilege: the function may write to its own log group and nothing else. Lambda pulls the image
      // under the repository policy of the registry stack, not with this role.
      const role = new iam.Role(this, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
        description: `Execution role of the ${fn.name} function (${settings.stage})`,
      });
      logGroup.grantWrite(role);

      const handler = new lambda.DockerImageFunction(this, `${id}Function`, {
        functionName,
        description: fn.description ?? `${fn.name} (${fn.packageName}@${fn.version}, ${fn.strategy} image)`,
        code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: digest, cmd: [fn.lambdaHandler] }),
        architecture: ARCHITECTURES[fn.architecture],
        memorySize: fn.memorySize,
        timeout: Duration.seconds(fn.timeout),
        environment: functionEnvironment(fn, settings),
        logGroup,
        role,
      });
      // Event (asynchronous) invocations: retries after a function error and how long an event may wait, from
      // the function's config (Lambda's defaults when it says nothing), as the local stack's Event queue applies them.
      handler.configureAsyncInvoke({
        retryAttempts: fn.async.maximumRetryAttempts,
        maxEventAge: Duration.seconds(fn.async.maximumEventAgeSeconds),
      });
      deployed.set(fn.name, handler);
      if (fn.sqs !== undefined) this.addQueueTrigger(fn, handler, removalPolicy);
      if (fn.functionUrl !== undefined) this.addFunctionUrl(fn, handler);
    }
    this.functions = deployed;
    this.httpApi = this.createHttpApi(props.functions, deployed, settings, removalPolicy);
  }

  /**
   * An encrypted, TLS-only queue with a dead-letter queue, feeding the function batches. Failed records are
   * reported one by one (partial batch responses), so a batch is not retried whole for one bad message.
   */
  private addQueueTrigger(
    fn: FunctionDefinition,
    handler: lambda.DockerImageFunction,
    removalPolicy: RemovalPolicy,
  ): void {
    const trigger = fn.sqs;
    if (trigger === undefined) return;
    const id = pascalCase(fn.name);
    const deadLetterQueue = new sqs.Queue(this, `${id}DeadLetterQueue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const queue = new sqs.Queue(this, `${id}Queue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda consumers: at least six times the function timeout, so a message is not handed
      // out again while a retried invoke still holds it.
      visibilityTimeout: Duration.seconds(Math.min(fn.timeout * 6, 43_200)),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: trigger.maxReceiveCount },
      removalPolicy,
    });
    handler.addEventSource(
      new SqsEventSource(queue, {
        batchSize: trigger.batchSize,
        maxBatchingWindow:
          trigger.maxBatchingWindowSeconds > 0
            ? Duration.seconds(trigger.maxBatchingWindowSeconds)
            : undefined,
        reportBatchItemFailures: true,
      }),
    );
    new CfnOutput(this, `${id}QueueUrl`, {
      description: `The queue that feeds the ${fn.name} function`,
      value: queue.queueUrl,
    });
    new CfnOutput(this, `${id}DeadLetterQueueUrl`, {
      description: `Messages the ${fn.name} function failed ${trigger.maxReceiveCount} times`,
      value: deadLetterQueue.queueUrl,
    });
    this.queues.set(fn.name, { queue, deadLetterQueue });
  }

  private addFunctionUrl(fn: FunctionDefinition, handler: lambda.DockerImageFunction): void {
    const config = fn.functionUrl;
    if (config === undefined) return;
    const url = handler.addFunctionUrl({
      authType:
        config.authType === "NONE" ? lambda.FunctionUrlAuthType.NONE : lambda.FunctionUrlAuthType.AWS_IAM,
      invokeMode:
        config.invokeMode === "RESPONSE_STREAM"
          ? lambda.InvokeMode.RESPONSE_STREAM
          : lambda.InvokeMode.BUFFERED,
    });
    new CfnOutput(this, `${pascalCase(fn.name)}FunctionUrl`, {
      description: `The Function URL of the ${fn.name} function (${config.authType}, ${config.invokeMode})`,
      value: url.url,
    });
    this.functionUrls.set(fn.name, url);
  }

  private createHttpApi(
    functions: readonly FunctionDefinition[],
    deployed: ReadonlyMap<string, lambda.DockerImageFunction>,
    settings: StageSettings,
    removalPolicy: RemovalPolicy,
  ): apigw.HttpApi | undefined {
    const routed = functions.filter((fn) => fn.routes.length > 0);
    if (routed.length === 0) return undefined;

    const api = new apigw.HttpApi(this, "HttpApi", {
      apiName: `${this.stackName}-api`,
      description: `HTTP API of the ${settings.stage} stage`,
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, "HttpApiAccessLogs", {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    new apigw.HttpStage(this, "HttpApiDefaultStage", {
      httpApi: api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: settings.throttleRate, burstLimit: settings.throttleBurst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            time: "$context.requestTime",
            ip: "$context.identity.sourceIp",
            routeKey: "$context.routeKey",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            integrationLatencyMs: "$context.integrationLatency",
            integrationError: "$context.integrationErrorMessage",
            responseLength: "$context.responseLength",
          }),
        ),
      },
    });

    new CfnOutput(this, "ApiUrl", { description: "Base URL of the HTTP API", value: api.apiEndpoint });
    for (const fn of routed) {
      const handler = deployed.get(fn.name);
      if (handler === undefined) continue;
      const integration = new HttpLambdaIntegration(`${pascalCase(fn.name)}Integration`, handler);
      for (const route of fn.routes) {
        api.addRoutes({ path: route.path, methods: [METHODS[route.method]], integration });
      }
      new CfnOutput(this, `${pascalCase(fn.name)}Urls`, {
        description: `The routes of the ${fn.name} function`,
        value: fn.routes.map((route) => `${route.method} ${api.apiEndpoint}${route.path}`).join(" "),
      });
    }
    return api;
  }
}
