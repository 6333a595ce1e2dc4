/**
 * Security headers on every response. Pages get a Content-Security-Policy without any inline
 * allowance: the few inline scripts Nuxt's SSR emits (the import map and the runtime config bootstrap)
 * and the component `<style>` blocks it inlines are allowed by their SHA-256 hash, computed from the
 * exact HTML being sent, so nothing else inline can run or apply.
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
const INLINE_STYLE_RE = /<style\b[^>]*>([\s\S]*?)<\/style>/gi

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}
const NON_EXECUTABLE_TYPE_RE = /\btype\s*=\s*["']?(application\/(?:ld\+)?json|importmap-never)["']?/i

/** sha256 sources for every executable inline script in the document. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>()
  for (const match of html.matchAll(INLINE_SCRIPT_RE)) {
    const attrs = match[1] ?? ''
    const body = match[2] ?? ''
    if (/\bsrc\s*=/i.test(attrs) || NON_EXECUTABLE_TYPE_RE.test(attrs) || body.length === 0) continue
    hashes.add(sha256(body))
  }
  return [...hashes]
}

/** sha256 sources for the `<style>` blocks SSR inlines (component CSS for the first paint). */
export function inlineStyleHashes(html: string): string[] {
  const hashes = new Set<string>()
  for (const match of html.matchAll(INLINE_STYLE_RE)) hashes.add(sha256(match[1] ?? ''))
  return [...hashes]
}

export function pageCsp(scriptHashes: string[], styleHashes: string[], dev = false): string {
  const script = ["'self'", ...scriptHashes, ...(dev ? ["'unsafe-eval'"] : [])].join(' ')
  // Dev (Vite) injects styles at run time; production only has files and the hashed SSR blocks.
  const style = dev ? "'self' 'unsafe-inline'" : ["'self'", ...styleHashes].join(' ')
  return [
    "default-src 'self'",
    `script-src ${script}`,
    // The app sets no style attributes in markup (CSSOM writes like el.style.height are not inline).
    `style-src ${style}`,
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
    const csp = pageCsp(inlineScriptHashes(body), inlineStyleHashes(body), import.meta.dev)
    response.headers = { ...response.headers, 'content-security-policy': csp }
    setResponseHeader(event, 'Content-Security-Policy', csp)
  })
})
