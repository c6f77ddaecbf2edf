#!/usr/bin/env node
/**
 * A Lambda runtime client in plain JavaScript (no native addon), for machines where aws-lambda-ric's native
 * build is skipped. It follows aws-lambda-ric 4.x step for step: the same environment checks, handler loading
 * and error types, the same context object, console format, response streaming and init/error reporting, so a
 * function behaves the same under either. The local stack's conformance tests run against both.
 */
import { existsSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

const require = createRequire(import.meta.url);

const REQUIRED_ENV_VARS = [
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
];
const HANDLER_STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HANDLER_HIGHWATERMARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const CALLBACK_ERROR =
  "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.";

/** An error whose name is a Lambda error type such as `Runtime.ImportModuleError`. */
class LambdaError extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

// ---------------------------------------------------------------------------------------------- errors

function formatError(error) {
  try {
    if (error instanceof Error) {
      return {
        errorType: error.name?.replaceAll("\x7F", "%7F"),
        errorMessage: error.message?.replaceAll("\x7F", "%7F"),
        trace: error.stack?.replaceAll("\x7F", "%7F").split("\n") || [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage:
        "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
      trace: [],
    };
  }
}

function intoError(value) {
  return value instanceof Error ? value : new Error(String(value));
}

function withEnumerableProperties(value) {
  if (!(value instanceof Error)) return value;
  const result = { errorType: value.name, errorMessage: value.message, code: value.code, ...value };
  if (typeof value.stack === "string") result.stack = value.stack.split("\n");
  return result;
}

function serialize(value) {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch {
    throw new LambdaError("Runtime.JSONStringifyError", "Unable to stringify response body");
  }
}

// ---------------------------------------------------------------------------------------------- console

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
let currentRequestId;
let currentTenantId;

function patchConsole() {
  const json = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === "JSON";
  const configured = process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase();
  const minimum = LEVELS[configured] ?? LEVELS.TRACE;
  const write = (level) => {
    if (LEVELS[level] < minimum) return () => {};
    return (message, ...params) => {
      const timestamp = new Date().toISOString();
      const requestId = currentRequestId ?? "-";
      const line = json
        ? jsonLine(timestamp, requestId, level, message, params)
        : [timestamp, requestId, level, format(message, ...params)].join("\t");
      process.stdout.write(`${line.replace(/\n/g, "\r")}\n`);
    };
  };
  console.trace = write("TRACE");
  console.debug = write("DEBUG");
  console.info = write("INFO");
  console.warn = write("WARN");
  console.error = write("ERROR");
  console.fatal = write("FATAL");
  console.log = console.info;
  return json;
}

function jsonLine(timestamp, requestId, level, message, params) {
  const entry = { timestamp, level, requestId };
  if (currentTenantId) entry.tenantId = currentTenantId;
  entry.message = params.length === 0 && typeof message !== "string" ? message : format(message, ...params);
  const error = params.find((param) => param instanceof Error);
  if (error) {
    entry.errorType = error.constructor?.name ?? "UnknownError";
    entry.errorMessage = error.message;
    entry.stackTrace = typeof error.stack === "string" ? error.stack.split("\n") : [];
  }
  try {
    return JSON.stringify(entry, (_key, value) =>
      value instanceof Error
        ? {
            errorType: value.constructor?.name ?? "UnknownError",
            errorMessage: value.message,
            stackTrace: value.stack?.split("\n"),
          }
        : value,
    );
  } catch {
    return JSON.stringify({ ...entry, message: format(entry.message) });
  }
}

let jsonLogs = false;

/** The RIC's `structuredConsole.logError`. */
function logError(message, error) {
  if (jsonLogs) {
    console.error(intoError(error));
    return;
  }
  let formatted;
  try {
    formatted = `\t${JSON.stringify(intoError(error), (_key, value) => withEnumerableProperties(value))}`;
  } catch {
    formatted = `\t${JSON.stringify(formatError(error))}`;
  }
  console.error(message, formatted);
}

// ---------------------------------------------------------------------------------------------- Runtime API

class RuntimeApiClient {
  constructor(hostPort) {
    const parts = hostPort.split(":");
    const port = Number(parts[1]);
    if (parts.length !== 2 || !parts[0] || !Number.isInteger(port) || String(port) !== parts[1]) {
      throw new LambdaError("Runtime.PlatformError", `Invalid hostnamePort: ${hostPort}`);
    }
    this.hostname = parts[0];
    this.port = port;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, urlPath, headers, body) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { hostname: this.hostname, port: this.port, path: urlPath, method, headers, agent: this.agent },
        (res) => {
          const chunks = [];
          res.on("data", (chunk) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  async next() {
    const res = await this.request("GET", "/2018-06-01/runtime/invocation/next", {});
    if (res.status !== 200) {
      throw new LambdaError("Runtime.PlatformError", `Failed to get next invocation, error ${res.status}`);
    }
    return { headers: res.headers, bodyJson: res.body.toString("utf8") };
  }

  post(urlPath, bodyString, extraHeaders = {}) {
    const headers = {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(bodyString),
      ...extraHeaders,
    };
    return this.request("POST", urlPath, headers, bodyString);
  }

  postResponse(requestId, result) {
    return this.post(
      `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
      serialize(result),
    );
  }

  postError(requestId, error) {
    return this.post(
      `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/error`,
      serialize(formatError(error)),
    );
  }

  postInitError(error) {
    const formatted = formatError(error);
    return this.post("/2018-06-01/runtime/init/error", serialize(formatted), {
      "Lambda-Runtime-Function-Error-Type": formatted.errorType,
    });
  }

  /** A chunked POST that ends with the error trailers when the handler fails mid-stream. */
  responseStream(requestId, highWaterMark) {
    let resolveDone;
    let rejectDone;
    const responseDone = new Promise((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    const req = http.request({
      hostname: this.hostname,
      port: this.port,
      path: `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
      method: "POST",
      agent: this.agent,
      highWaterMark,
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        Trailer: ["Lambda-Runtime-Function-Error-Type", "Lambda-Runtime-Function-Error-Body"],
        "Content-Type": "application/octet-stream",
        "Transfer-Encoding": "chunked",
      },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolveDone(res.statusCode));
      res.on("aborted", (error) => rejectDone(error));
    });
    req.on("error", (error) => {
      rejectDone(error);
      req.destroy(error);
    });
    let written = false;
    const originalWrite = req.write.bind(req);
    req.setContentType = (contentType) => {
      if (written)
        throw new LambdaError("Runtime.InvalidStreamingOperation", "Cannot set content-type, too late.");
      req.setHeader("Content-Type", contentType);
    };
    req.write = (chunk, encoding, callback) => {
      const data =
        typeof chunk === "string" || Buffer.isBuffer(chunk) || chunk instanceof Uint8Array
          ? chunk
          : JSON.stringify(chunk);
      if (!written && typeof req._onBeforeFirstWrite === "function") {
        req._onBeforeFirstWrite((first) => originalWrite(first));
      }
      written = true;
      return originalWrite(data, encoding, callback);
    };
    const fail = (error) =>
      new Promise((resolve) => {
        const formatted = formatError(error);
        req.addTrailers({
          "Lambda-Runtime-Function-Error-Type": formatted.errorType,
          "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(formatted)).toString("base64"),
        });
        req.end(resolve);
      });
    return { stream: req, responseDone, fail };
  }
}

// ---------------------------------------------------------------------------------------------- handler

function setupGlobals() {
  const disabled = ["1", "true"].includes(process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA ?? "");
  if (disabled) return;
  globalThis.awslambda = {
    ...globalThis.awslambda,
    streamifyResponse: (handler, options) => {
      handler[HANDLER_STREAMING] = "response";
      if (typeof options?.highWaterMark === "number") {
        handler[HANDLER_HIGHWATERMARK] = Number.parseInt(String(options.highWaterMark), 10);
      }
      return handler;
    },
    HttpResponseStream: {
      from(stream, prelude) {
        stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        const metadata = JSON.stringify(prelude);
        stream._onBeforeFirstWrite = (write) => {
          write(metadata);
          write(new Uint8Array(8));
        };
        return stream;
      },
    },
  };
}

function parseHandlerString(fullHandler) {
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString)).replace(/\/$/, "");
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (match?.length !== 3) throw new LambdaError("Runtime.MalformedHandlerName", "Bad handler");
  return { moduleRoot, moduleName: match[1], handlerName: match[2] };
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  try {
    for (const extension of ["", ".js", ".mjs", ".cjs"]) {
      const file = `${base}${extension}`;
      if (existsSync(file)) return await import(pathToFileURL(file).href);
    }
    const resolved = require.resolve(moduleName, { paths: [appRoot, path.join(appRoot, moduleRoot)] });
    return require(resolved);
  } catch (error) {
    if (error instanceof SyntaxError) {
      const wrapped = new LambdaError("Runtime.UserCodeSyntaxError", String(error));
      wrapped.stack = error.stack;
      throw wrapped;
    }
    if (error instanceof Error && error.code === "MODULE_NOT_FOUND") {
      throw new LambdaError("Runtime.ImportModuleError", String(error));
    }
    throw error;
  }
}

function findIn(handlerName, module) {
  return handlerName
    .split(".")
    .reduce((nested, key) => (nested && typeof nested === "object" ? nested[key] : undefined), module);
}

async function loadHandler(taskRoot, handlerString) {
  if (handlerString.includes("..")) {
    throw new LambdaError(
      "Runtime.MalformedHandlerName",
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const { moduleRoot, moduleName, handlerName } = parseHandlerString(handlerString);
  const module = await loadModule(taskRoot, moduleRoot, moduleName);
  let handler = findIn(handlerName, module);
  if (!handler && typeof module === "object" && module !== null && "default" in module) {
    handler = findIn(handlerName, module.default);
  }
  if (!handler)
    throw new LambdaError("Runtime.HandlerNotFound", `${handlerString} is undefined or not exported`);
  if (typeof handler !== "function")
    throw new LambdaError("Runtime.HandlerNotFound", `${handlerString} is not a function`);
  const marker = handler[HANDLER_STREAMING];
  if (marker && marker !== "response") {
    throw new LambdaError("Runtime.MalformedStreamingHandler", "Only response streaming is supported.");
  }
  const streaming = marker === "response";
  if (handler.length >= 3 && !streaming)
    throw new LambdaError("Runtime.CallbackHandlerDeprecated", CALLBACK_ERROR);
  const highWaterMark = Number(handler[HANDLER_HIGHWATERMARK]);
  return { handler, streaming, highWaterMark: Number.isNaN(highWaterMark) ? undefined : highWaterMark };
}

// ---------------------------------------------------------------------------------------------- invokes

function buildContext(headers) {
  const missingEnv = REQUIRED_ENV_VARS.filter((name) => !process.env[name]);
  if (missingEnv.length > 0) {
    throw new LambdaError(
      "Runtime.PlatformError",
      `Missing required environment variables: ${missingEnv.join(", ")}`,
    );
  }
  const required = [
    "lambda-runtime-invoked-function-arn",
    "lambda-runtime-aws-request-id",
    "lambda-runtime-deadline-ms",
  ];
  const missingHeaders = required.filter((name) => !(name in headers));
  if (missingHeaders.length > 0) {
    throw new LambdaError("Runtime.PlatformError", `Missing required headers: ${missingHeaders.join(", ")}`);
  }
  const deadline = Number.parseInt(headers["lambda-runtime-deadline-ms"], 10);
  if (Number.isNaN(deadline)) throw new LambdaError("Runtime.PlatformError", "Invalid deadline timestamp");
  const parseJson = (name) => {
    const value = headers[name];
    if (!value) return undefined;
    try {
      return JSON.parse(value);
    } catch (error) {
      throw new LambdaError("Runtime.PlatformError", `Failed to parse ${name} as JSON: ${error.message}`);
    }
  };
  const traceId = headers["lambda-runtime-trace-id"];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  return {
    clientContext: parseJson("lambda-runtime-client-context"),
    identity: parseJson("lambda-runtime-cognito-identity"),
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    xRayTraceId: traceId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
}

const afterIo = () => new Promise((resolve) => setImmediate(resolve));

async function processBuffered(client, handler, event, context) {
  try {
    const result = await handler(event, context);
    await afterIo();
    await client.postResponse(context.awsRequestId, result);
  } catch (error) {
    await afterIo();
    logError("Invoke Error", error);
    await client.postError(context.awsRequestId, error);
  }
}

async function processStreaming(client, loaded, event, context) {
  const { stream, responseDone, fail } = client.responseStream(context.awsRequestId, loaded.highWaterMark);
  try {
    const pending = loaded.handler(event, stream, context);
    if (typeof pending?.then !== "function")
      throw new Error("Streaming does not support non-async handlers.");
    const result = await pending;
    if (result !== undefined) console.warn("Streaming handlers ignore return values.");
    await responseDone;
    if (!stream.writableFinished) throw new Error("Response stream is not finished.");
  } catch (error) {
    await afterIo();
    logError("Invoke Error", error);
    await fail(error);
  }
}

async function main() {
  setupGlobals();
  jsonLogs = patchConsole();
  const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API;
  const handlerString = process.env._HANDLER;
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (!runtimeApi)
    throw new LambdaError("Runtime.PlatformError", "AWS_LAMBDA_RUNTIME_API environment variable is not set");
  if (!handlerString)
    throw new LambdaError("Runtime.PlatformError", "_HANDLER environment variable is not set");
  if (!taskRoot)
    throw new LambdaError("Runtime.PlatformError", "LAMBDA_TASK_ROOT environment variable is not set");
  const client = new RuntimeApiClient(runtimeApi);
  let loaded;
  try {
    loaded = await loadHandler(taskRoot, handlerString);
  } catch (error) {
    logError("Init Error", error);
    await client.postInitError(error);
    throw error;
  }
  for (;;) {
    const { headers, bodyJson } = await client.next();
    const context = buildContext(headers);
    const event = JSON.parse(bodyJson);
    currentRequestId = context.awsRequestId;
    currentTenantId = context.tenantId;
    if (loaded.streaming) await processStreaming(client, loaded, event, context);
    else await processBuffered(client, loaded.handler, event, context);
  }
}

// Like the RIC, a failure here (an init error, a broken Runtime API) is left to Node: it prints it and exits.
main();
