/**
 * A test function whose event says what to do: answer, fail, hang, crash, log, return a large body, or return
 * whatever `value` the event holds (`return`). Behind the HTTP API or a Function URL the order is the request's
 * JSON body. Copied as dist/index.mjs into a temporary function folder by the engine's tests.
 */
import { spawn } from "node:child_process";
import { getHeapStatistics } from "node:v8";

const startedAt = new Date().toISOString();
let invocations = 0;

// A slow init when the function's environment asks for one: the module's top level is the function's init.
const initSleepMs = Number(process.env.INIT_SLEEP_MS ?? 0);
if (initSleepMs > 0) await new Promise((resolve) => setTimeout(resolve, initSleepMs));

/** The order: the event itself, or the JSON body of an HTTP API / Function URL event (payload format 2.0). */
function orderOf(event) {
  if (event?.version !== "2.0") return event;
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString() : event.body;
  return JSON.parse(body || "{}");
}

export const handler = async (event, context) => {
  invocations += 1;
  const order = orderOf(event);
  switch (order.action) {
    case "echo":
      return {
        event,
        invocations,
        startedAt,
        context: {
          awsRequestId: context.awsRequestId,
          functionName: context.functionName,
          functionVersion: context.functionVersion,
          invokedFunctionArn: context.invokedFunctionArn,
          memoryLimitInMB: context.memoryLimitInMB,
          logGroupName: context.logGroupName,
          logStreamName: context.logStreamName,
          clientContext: context.clientContext,
          tenantId: context.tenantId,
          remainingTimeInMillis: context.getRemainingTimeInMillis(),
        },
        traceEnv: process.env._X_AMZN_TRACE_ID,
        cwd: process.cwd(),
        env: process.env,
      };
    case "throw": {
      const error = new TypeError(order.message ?? "failed on purpose");
      throw error;
    }
    case "sleep":
      await new Promise((resolve) => setTimeout(resolve, order.ms));
      return { slept: order.ms, invocations, pid: process.pid };
    case "exit":
      process.exit(order.code);
      break;
    case "signal":
      process.kill(process.pid, order.signal);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      return null;
    case "uncaught":
      setTimeout(() => {
        throw new Error("thrown outside the handler's promise");
      }, 0);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      return null;
    case "rejection":
      Promise.reject(new Error("nobody handles this rejection"));
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      return null;
    case "leave-child": {
      const child = spawn("sleep", ["30"], { stdio: "ignore" });
      console.log(`child pid ${child.pid}`);
      await new Promise((resolve) => setTimeout(resolve, order.ms ?? 10_000));
      return null;
    }
    case "log":
      console.log("first line from the handler");
      console.error("an error line", { detail: 42 });
      process.stdout.write("raw stdout without newline at the end");
      process.stdout.write("\n");
      return "logged";
    case "node":
      // How node was started: its version, its flags and what they did to V8's heap and gc.
      return {
        version: process.version,
        execArgv: process.execArgv,
        heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / (1024 * 1024)),
        gc: typeof globalThis.gc,
      };
    case "big":
      return "x".repeat(order.bytes);
    case "undefined":
      return undefined;
    case "return":
      // `bodyBytes` adds a body of that many bytes to the value (an object), for answers too big to send as JSON.
      return order.bodyBytes === undefined
        ? order.value
        : { ...order.value, body: "x".repeat(order.bodyBytes) };
    default:
      throw new Error(`Unknown action ${JSON.stringify(order.action)}`);
  }
};
