/**
 * Allocates `event.mb` megabytes outside V8's heap (Buffers, each byte written so the pages are resident), holds
 * them, and answers how much it holds: past the function's memory size the runtime must be killed. With
 * `event.hold` it then waits instead of answering, so the kill, however it comes, ends the invoke.
 */
const held = [];

export const handler = async (event) => {
  for (let mb = 0; mb < (event.mb ?? 0); mb += 16) held.push(Buffer.alloc(16 * 1024 * 1024, 1));
  if (event.hold) await new Promise(() => setInterval(() => {}, 1_000));
  return { heldMb: held.length * 16, pid: process.pid };
};
