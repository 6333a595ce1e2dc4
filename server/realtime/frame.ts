let stampMs = Number.NaN
let stampIso = ''

/** Now, as ISO text; frames serialized in the same millisecond (a message and its ack) share one. */
function frameTimestamp(): string {
  const ms = Date.now()
  if (ms !== stampMs) {
    stampMs = ms
    stampIso = new Date(ms).toISOString()
  }
  return stampIso
}

/** Serializes a server frame once; every socket that gets it receives the same string. */
export function serializeFrame(type: string, payload: unknown, requestId?: string | number): string {
  const timestamp = frameTimestamp()
  return JSON.stringify(requestId === undefined
    ? { type, payload, timestamp }
    : { type, payload, timestamp, request_id: requestId })
}

export function errorFrame(code: string, message: string, requestId?: string | number): string {
  return serializeFrame('error', { code, message, request_id: requestId ?? null }, requestId)
}
