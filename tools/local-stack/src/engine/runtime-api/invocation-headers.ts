/** An invocation as `GET /runtime/invocation/next` hands it to the runtime: its payload and its headers. */
import { type ServerResponse, validateHeaderValue } from "node:http";
import { JSON_TYPE } from "./http.js";
import type { RuntimeInvocation } from "./server.js";

/**
 * The client context as a header can carry it, for every runtime client alike. Header values are bytes, which
 * aws-lambda-ric's native client reads as UTF-8 and Node's http client (the RIC's alternative client, the fallback
 * runner) as Latin-1, and CR, LF and DEL cannot be sent at all. So characters from DEL up are written as JSON
 * `\uXXXX` escapes and line breaks as spaces: valid JSON has them only inside strings (line breaks only between
 * values), so every client parses exactly the object the caller sent. Lambda sends the raw UTF-8 bytes instead.
 */
function headerSafeJson(json: string): string {
  return json
    .replace(/[\r\n]/g, " ")
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? `${quoted.slice(0, 77)}..."` : quoted;
}

export type InvocationHeaders = Record<string, string>;

/** The headers `/next` sends with an invocation; throws, naming the header, when one cannot be sent. */
export function invocationHeaders(invocation: RuntimeInvocation): InvocationHeaders {
  const headers: Record<string, string> = {
    "Content-Type": invocation.contentType ?? JSON_TYPE,
    "Lambda-Runtime-Aws-Request-Id": invocation.requestId,
    "Lambda-Runtime-Deadline-Ms": String(invocation.deadlineMs),
    "Lambda-Runtime-Invoked-Function-Arn": invocation.invokedFunctionArn,
  };
  // Optional headers are only sent when they have a value, as RAPID does.
  const optional: [string, string | undefined][] = [
    ["Lambda-Runtime-Trace-Id", invocation.traceId],
    ["Lambda-Runtime-Client-Context", invocation.clientContext && headerSafeJson(invocation.clientContext)],
    ["Lambda-Runtime-Cognito-Identity", invocation.cognitoIdentity],
    ["Lambda-Runtime-Aws-Tenant-Id", invocation.tenantId],
  ];
  for (const [name, value] of optional) if (value) headers[name] = value;
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderValue(name, value);
    } catch {
      throw new Error(
        `the ${name} header cannot carry ${quote(value)} (header values are Latin-1 text without control characters)`,
      );
    }
  }
  headers["Content-Length"] = String(invocation.payload.length);
  return headers;
}

/** Answers `/next` with `invocation` and its `headers` (from invocationHeaders, built when it was handed over). */
export function renderInvocation(
  res: ServerResponse,
  invocation: RuntimeInvocation,
  headers: InvocationHeaders,
): void {
  res.writeHead(200, headers);
  res.end(invocation.payload);
}
