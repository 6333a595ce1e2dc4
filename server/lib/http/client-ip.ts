import type { H3Event } from 'h3'
import { useConfig } from '../config/env'

/**
 * The caller's address for rate limits. X-Forwarded-For is trusted only with TRUST_PROXY=true,
 * so a client cannot dodge a limit by forging the header.
 */
export function clientIp(event: H3Event): string {
  if (useConfig().trustProxy) {
    const forwarded = event.node.req.headers['x-forwarded-for']
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
    if (first) return first
  }
  return event.node.req.socket?.remoteAddress || 'unknown'
}
