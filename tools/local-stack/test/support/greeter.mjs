/**
 * A test function that answers HTTP API (payload format 2.0) events the way an HTTP API function does: GET /hello
 * with ?name= answers 200 with a JSON greeting, without a name 400 saying so, any other route 404. Like the example
 * function hello, it accepts the write-up's hand-written event (no headers, no isBase64Encoded).
 * Copied as dist/index.mjs into a temporary function folder by the engine's tests.
 */
const reply = (statusCode, message) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message }),
  isBase64Encoded: false,
});

export const handler = async (event) => {
  if (event?.version !== "2.0" || typeof event.rawPath !== "string") {
    throw new TypeError("Expected an API Gateway HTTP API (payload format 2.0) event.");
  }
  if (event.requestContext?.http?.method !== "GET" || event.rawPath !== "/hello") {
    return reply(404, `No route for ${event.rawPath}.`);
  }
  const name = event.queryStringParameters?.name?.trim() ?? "";
  if (name === "") return reply(400, 'Query parameter "name" is required, for example /hello?name=Chris.');
  console.log(JSON.stringify({ level: "INFO", message: "Greeted", name }));
  return reply(200, `Hello, ${name}!`);
};
