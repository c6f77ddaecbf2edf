/** The names and ids Lambda gives a function, an instance and an invoke, made up locally in the same shapes. */
import { randomBytes, randomUUID } from "node:crypto";

/** The account id in every local ARN (the AWS documentation's example account). */
export const LOCAL_ACCOUNT_ID = "123456789012";

export const DEFAULT_REGION = "us-east-1";

/** The ARN of an unqualified invoke: `arn:aws:lambda:<region>:<account>:function:<name>`. */
export function functionArn(
  region: string,
  functionName: string,
  accountId: string = LOCAL_ACCOUNT_ID,
): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/** The region the local stack pretends to run in: the option, else the host's AWS_REGION/AWS_DEFAULT_REGION. */
export function resolveRegion(option: string | undefined, hostEnv: NodeJS.ProcessEnv = process.env): string {
  return option || hostEnv.AWS_REGION || hostEnv.AWS_DEFAULT_REGION || DEFAULT_REGION;
}

export function newRequestId(): string {
  return randomUUID();
}

/** An X-Ray trace header as Lambda passes it to the runtime when tracing is not active (`Sampled=0`). */
export function newTraceId(now: Date = new Date()): string {
  const epochSeconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, "0");
  return `Root=1-${epochSeconds}-${randomBytes(12).toString("hex")};Parent=${randomBytes(8).toString("hex")};Sampled=0`;
}

/** `2026/11/30/[$LATEST]<32 hex>`: one log stream per instance, named after the day it started (UTC). */
export function newLogStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}
