/**
 * A response-streaming test function that answers an HTTP request (a Function URL's RESPONSE_STREAM) with the
 * HTTP integration prelude the request's JSON body asks for: `{ prelude, body }` goes through
 * awslambda.HttpResponseStream.from() as a function would write it (`bodyBytes` instead of `body` streams that many
 * bytes); `{ raw }` is written as-is after the prelude content type, for preludes the runtime client would never
 * write (not JSON, no 8 NUL bytes).
 */
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString() : event.body;
  const order = JSON.parse(body || "{}");
  if (order.raw !== undefined) {
    responseStream.setContentType("application/vnd.awslambda.http-integration-response");
    responseStream.write(order.raw);
    responseStream.end();
    return;
  }
  const stream = awslambda.HttpResponseStream.from(responseStream, order.prelude ?? {});
  stream.write(order.bodyBytes === undefined ? (order.body ?? "streamed") : "x".repeat(order.bodyBytes));
  stream.end();
});
