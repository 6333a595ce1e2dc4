/**
 * Security headers on every response. Pages get a Content-Security-Policy without any inline-script
 * allowance: the few inline scripts Nuxt's SSR emits (the runtime config bootstrap) are allowed by
 * their SHA-256 hash, computed from the exact HTML being sent, so nothing else inline can run.
 * JSON data blocks (`type="application/json"`) are not executed and need no hash.
 */
import { createHash } from 'node:crypto'
import type { H3Event } from 'h3'
import { setResponseHeader } from 'h3'
import { defineNitroPlugin } from 'nitropack/runtime'

const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
}

/** Everything non-HTML (API JSON, assets) may not load or frame anything. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const INLINE_SCRIPT_RE = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi
const NON_EXECUTABLE_TYPE_RE = /\btype\s*=\s*["']?(application\/(?:ld\+)?json|importmap-never)["']?/i

/** sha256 sources for every executable inline script in the document. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>()
  for (const match of html.matchAll(INLINE_SCRIPT_RE)) {
    const attrs = match[1] ?? ''
    const body = match[2] ?? ''
    if (/\bsrc\s*=/i.test(attrs) || NON_EXECUTABLE_TYPE_RE.test(attrs) || body.length === 0) continue
    hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`)
  }
  return [...hashes]
}

export function pageCsp(scriptHashes: string[], dev = false): string {
  const script = ["'self'", ...scriptHashes, ...(dev ? ["'unsafe-eval'"] : [])].join(' ')
  return [
    "default-src 'self'",
    `script-src ${script}`,
    // Styles: Vue sets `style` properties through the CSSOM (not blocked), but scoped SSR style tags
    // and attribute styles are inline; style injection cannot run code, so this is the one allowance.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // 'self' covers same-origin ws:/wss: in CSP Level 3 browsers; spelled out for older ones.
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "manifest-src 'self'",
    "worker-src 'self'",
  ].join('; ')
}

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('request', (event: H3Event) => {
    for (const [name, value] of Object.entries(BASE_HEADERS)) setResponseHeader(event, name, value)
    // Default for everything; rendered pages replace it with the hashed page policy below.
    setResponseHeader(event, 'Content-Security-Policy', API_CSP)
  })

  nitroApp.hooks.hook('render:response', (response, { event }) => {
    const body = typeof response.body === 'string' ? response.body : ''
    const csp = pageCsp(inlineScriptHashes(body), import.meta.dev)
    response.headers = { ...response.headers, 'content-security-policy': csp }
    setResponseHeader(event, 'Content-Security-Policy', csp)
  })
})
