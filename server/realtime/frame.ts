/** Serializes a server frame once; every socket that gets it receives the same string. */
export function serializeFrame(type: string, payload: unknown, requestId?: string | number): string {
  return JSON.stringify(requestId === undefined
    ? { type, payload, timestamp: new Date().toISOString() }
    : { type, payload, timestamp: new Date().toISOString(), request_id: requestId })
}

export function errorFrame(code: string, message: string, requestId?: string | number): string {
  return serializeFrame('error', { code, message, request_id: requestId ?? null }, requestId)
}
