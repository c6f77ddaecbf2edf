/**
 * The AWS event stream encoding (`application/vnd.amazon.eventstream`) that InvokeWithResponseStream answers
 * with: each message is a prelude (total length, headers length, CRC32 of both), headers, payload and a CRC32 of
 * everything before it. Only string headers are needed here.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index++) {
    let value = index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[index] = value >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3), the checksum the event stream prelude and message use. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const STRING_HEADER = 7;

function encodeHeaders(headers: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, "utf8");
    const valueBytes = Buffer.from(value, "utf8");
    const header = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    let offset = header.writeUInt8(nameBytes.length, 0);
    offset += nameBytes.copy(header, offset);
    offset = header.writeUInt8(STRING_HEADER, offset);
    offset = header.writeUInt16BE(valueBytes.length, offset);
    valueBytes.copy(header, offset);
    parts.push(header);
  }
  return Buffer.concat(parts);
}

/** Encodes one event stream message. */
export function encodeMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Buffer {
  const headerBytes = encodeHeaders(headers);
  const totalLength = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(totalLength);
  message.writeUInt32BE(totalLength, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  Buffer.from(payload).copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, totalLength - 4)), totalLength - 4);
  return message;
}

/** A `PayloadChunk` event: some bytes of the function's response. */
export function payloadChunk(bytes: Uint8Array): Buffer {
  return encodeMessage(
    { ":event-type": "PayloadChunk", ":content-type": "application/octet-stream", ":message-type": "event" },
    bytes,
  );
}

export interface InvokeCompleteDetails {
  /** The function's error type, when it failed. */
  readonly ErrorCode?: string;
  /** The function's error payload, when it failed. */
  readonly ErrorDetails?: string;
  /** Base64 of the last 4 KB of the invoke's logs, with LogType Tail. */
  readonly LogResult?: string;
}

/** The `InvokeComplete` event that ends every stream. */
export function invokeComplete(details: InvokeCompleteDetails): Buffer {
  return encodeMessage(
    { ":event-type": "InvokeComplete", ":content-type": "application/json", ":message-type": "event" },
    Buffer.from(JSON.stringify(details)),
  );
}
