import { randomBytes } from "node:crypto";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, encodeMessage, invokeComplete, payloadChunk } from "./event-stream.js";

/** Reads a message back field by field (the layout of the AWS event stream encoding). */
function parse(message: Buffer) {
  const totalLength = message.readUInt32BE(0);
  const headersLength = message.readUInt32BE(4);
  const headers: Record<string, string> = {};
  let offset = 12;
  while (offset < 12 + headersLength) {
    const nameLength = message.readUInt8(offset);
    const name = message.subarray(offset + 1, offset + 1 + nameLength).toString();
    offset += 1 + nameLength;
    expect(message.readUInt8(offset)).toBe(7);
    const valueLength = message.readUInt16BE(offset + 1);
    headers[name] = message.subarray(offset + 3, offset + 3 + valueLength).toString();
    offset += 3 + valueLength;
  }
  return {
    totalLength,
    preludeCrc: message.readUInt32BE(8),
    headers,
    payload: message.subarray(12 + headersLength, totalLength - 4),
    messageCrc: message.readUInt32BE(totalLength - 4),
  };
}

describe("crc32", () => {
  it("gives the standard check value and agrees with zlib on random data", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    for (const size of [0, 1, 7, 1000]) {
      const data = randomBytes(size);
      if (zlibCrc32) expect(crc32(data)).toBe(zlibCrc32(data));
    }
  });
});

describe("encodeMessage", () => {
  it("lays out the prelude, string headers, payload and both checksums", () => {
    const payload = Buffer.from("hello stream");
    const message = encodeMessage({ ":event-type": "PayloadChunk", a: "b" }, payload);
    const parsed = parse(message);
    expect(parsed.totalLength).toBe(message.length);
    expect(parsed.preludeCrc).toBe(crc32(message.subarray(0, 8)));
    expect(parsed.messageCrc).toBe(crc32(message.subarray(0, message.length - 4)));
    expect(parsed.headers).toEqual({ ":event-type": "PayloadChunk", a: "b" });
    expect(parsed.payload).toEqual(payload);
  });

  it("makes PayloadChunk and InvokeComplete events", () => {
    const chunk = parse(payloadChunk(Buffer.from([0, 255])));
    expect(chunk.headers).toEqual({
      ":event-type": "PayloadChunk",
      ":content-type": "application/octet-stream",
      ":message-type": "event",
    });
    expect([...chunk.payload]).toEqual([0, 255]);
    const complete = parse(invokeComplete({ ErrorCode: "RangeError", ErrorDetails: "{}" }));
    expect(complete.headers[":event-type"]).toBe("InvokeComplete");
    expect(JSON.parse(complete.payload.toString())).toEqual({ ErrorCode: "RangeError", ErrorDetails: "{}" });
  });
});
