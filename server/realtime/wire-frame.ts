/**
 * A server text frame encoded once, WebSocket header included. Frames from a server are never
 * masked (RFC 6455, 5.1), so the same bytes are valid on every connection: a room's event is encoded
 * once and each socket gets one plain write, instead of `ws` building a header and a two-buffer
 * write for each recipient.
 */
export interface WireFrame {
  /** Header and payload, ready for the TCP socket. */
  bytes: Buffer
  /** The payload alone (a view into `bytes`), for sockets that must go through `ws`. */
  payload: Buffer
}

const FIN_TEXT = 0x81

export function wireFrame(text: string): WireFrame {
  const length = Buffer.byteLength(text)
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10
  const bytes = Buffer.allocUnsafe(header + length)
  bytes[0] = FIN_TEXT
  if (header === 2) {
    bytes[1] = length
  }
  else if (header === 4) {
    bytes[1] = 126
    bytes.writeUInt16BE(length, 2)
  }
  else {
    bytes[1] = 127
    bytes.writeBigUInt64BE(BigInt(length), 2)
  }
  bytes.write(text, header, 'utf8')
  return { bytes, payload: bytes.subarray(header) }
}
