/**
 * The soak's load, in a process of its own (so the stack's RSS is the stack's alone): `concurrency` callers for
 * `seconds`, each request drawn in turn from a mix of synchronous Invoke API and HTTP API calls, over kept-alive
 * connections, plus Event invokes at a steady EVENTS_PER_SECOND (an Event answers 202 at once, so callers in a loop
 * would queue events faster than any function runs them: that is a test of the queue's bound, not a soak).
 * Sends back, per kind of call, how many there were, their statuses and their latencies.
 */
import { Agent, request } from "node:http";

const { invokeUrl, httpUrl, event, seconds, concurrency } = JSON.parse(process.argv[2]);
const EVENTS_PER_SECOND = 50;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 });
const invokePath = "/2015-03-31/functions/hello/invocations";

/** The mix: what each call is, what it sends, and the status it should get. */
const MIX = [
  { kind: "invoke", url: invokeUrl + invokePath, method: "POST", body: event, expect: 200 },
  { kind: "http-hello", url: `${httpUrl}/hello?name=Soak`, method: "GET", expect: 200 },
  { kind: "http-400", url: `${httpUrl}/hello`, method: "GET", expect: 400 },
  { kind: "http-404", url: `${httpUrl}/nope`, method: "GET", expect: 404 },
];

function send(call) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(call.url, { method: call.method, agent, headers: call.headers }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode, ms: performance.now() - started }));
    });
    req.on("error", (error) =>
      resolve({ status: `error: ${error.code ?? error.message}`, ms: performance.now() - started }),
    );
    req.end(call.body);
  });
}

const EVENT = {
  kind: "invoke-event",
  url: invokeUrl + invokePath,
  method: "POST",
  body: event,
  headers: { "x-amz-invocation-type": "Event" },
  expect: 202,
};
const stats = Object.fromEntries(
  [...MIX, EVENT].map((call) => [call.kind, { count: 0, unexpected: {}, latencies: [] }]),
);
const record = (call, { status, ms }) => {
  const entry = stats[call.kind];
  entry.count++;
  entry.latencies.push(ms);
  if (status !== call.expect) entry.unexpected[status] = (entry.unexpected[status] ?? 0) + 1;
};
const deadline = performance.now() + seconds * 1000;
const events = [];
const pacer = setInterval(
  () => events.push(send(EVENT).then((answer) => record(EVENT, answer))),
  1000 / EVENTS_PER_SECOND,
);
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const call = MIX[next++ % MIX.length];
      record(call, await send(call));
    }
  }),
);
clearInterval(pacer);
await Promise.all(events);
agent.destroy();
process.send(stats, () => process.exit(0));
