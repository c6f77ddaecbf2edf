/** The names and ids Lambda gives a function, an instance and an invoke, made up locally in the same shapes. */
import { randomBytes, randomUUID } from "node:crypto";

// The region, the log group and the log stream of an instance belong to a function's Lambda environment: see
// tools/function-config (resolveRegion, logGroupName, newLogStreamName).

/** The account id in every local ARN (the AWS documentation's example account). */
export const LOCAL_ACCOUNT_ID = "123456789012";

/** The ARN of an unqualified invoke: `arn:aws:lambda:<region>:<account>:function:<name>`. */
export function functionArn(
  region: string,
  functionName: string,
  accountId: string = LOCAL_ACCOUNT_ID,
): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

export function newRequestId(): string {
  return randomUUID();
}

/** Random bytes for trace ids, drawn from the generator a pool at a time (one call per invoke costs more). */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** `bytes` random bytes as hex; each byte of the pool is used once. */
function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const hex = randomPool.toString("hex", randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

/** An X-Ray trace header as Lambda passes it to the runtime when tracing is not active (`Sampled=0`). */
export function newTraceId(now: Date = new Date()): string {
  const epochSeconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, "0");
  return `Root=1-${epochSeconds}-${randomHex(12)};Parent=${randomHex(8)};Sampled=0`;
}
