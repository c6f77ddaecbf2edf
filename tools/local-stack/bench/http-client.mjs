/**
 * The benchmark's HTTP client, run in a worker thread so that its own work does not share the stack's event loop
 * (a real caller is another process). Measures either the latency of sequential requests or the throughput of
 * `concurrency` callers, over kept-alive connections, and posts the numbers back.
 */
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { readProcStat } from "./proc-stat.mjs";

const { url, method, body, count, concurrency, mode } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const payload = body === undefined ? undefined : Buffer.from(body);

function send() {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent }, (response) => {
      response.on("data", () => {});
      response.on("end", () => {
        if (response.statusCode === 200) resolve();
        else reject(new Error(`${method} ${url} answered ${response.statusCode}`));
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** This thread's CPU time (ms) so far; NaN where /proc is not. */
function threadCpuMs() {
  return readProcStat("/proc/thread-self/stat")?.cpuMs ?? Number.NaN;
}

async function callers(total) {
  let started = 0;
  const caller = async () => {
    while (started < total) {
      started++;
      await send();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
}

await callers(Math.min(200, count)); // warm every instance and connection
if (mode === "latency") {
  const samples = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await send();
    samples.push(performance.now() - started);
  }
  parentPort.postMessage({ samples });
} else {
  const started = performance.now();
  const cpuBefore = threadCpuMs();
  await callers(count);
  const cpuMs = threadCpuMs() - cpuBefore;
  parentPort.postMessage({
    perSecond: count / ((performance.now() - started) / 1000),
    clientCpuMs: Number.isFinite(cpuMs) ? cpuMs / count : undefined,
  });
}
agent.destroy();
