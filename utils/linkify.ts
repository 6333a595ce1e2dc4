/**
 * Splits message text into plain text and links. Only http(s) URLs become links, so `javascript:` and
 * friends stay text; the caller renders both as text nodes (never HTML).
 */
export type TextPart = { kind: 'text', text: string } | { kind: 'link', text: string, href: string }

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/giu
// Punctuation that usually ends a sentence rather than the URL.
const TRAILING_RE = /[.,;:!?)\]}'"»」』>]+$/u

export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return url.href
  }
  catch {
    return null
  }
}

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = []
  let last = 0
  for (const match of text.matchAll(URL_RE)) {
    let url = match[0]
    const trail = url.match(TRAILING_RE)?.[0] ?? ''
    // Keep a closing parenthesis that balances one inside the URL (Wikipedia links).
    if (trail && !(trail === ')' && url.includes('('))) url = url.slice(0, url.length - trail.length)
    const start = match.index!
    const href = safeHref(url)
    if (!href) continue
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) })
    parts.push({ kind: 'link', text: url, href })
    last = start + url.length
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) })
  return parts
}
