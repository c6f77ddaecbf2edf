/**
 * A response-streaming test function: writes `event.chunks` chunks of `event.size` bytes, then ends; with
 * `event.fail` it throws after the chunks; with `event.http` it sends an HTTP integration prelude. With
 * `event.gate` (a test's gate, see gate.ts) it waits at the gate after each chunk (`<gate>/<index>`), so the test
 * decides when the next chunk may be written.
 */
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  let stream = responseStream;
  if (event.http) {
    stream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 201,
      headers: { "x-streamed": "yes" },
    });
  } else {
    stream.setContentType("text/plain");
  }
  for (let index = 0; index < (event.chunks ?? 3); index++) {
    stream.write(`${String(index).repeat(event.size ?? 4)}|`);
    if (event.gate) await (await fetch(`${event.gate}/${index}`)).text();
    else await new Promise((resolve) => setTimeout(resolve, event.delayMs ?? 5));
  }
  if (event.fail) throw new RangeError("stream failed on purpose");
  stream.end();
});
