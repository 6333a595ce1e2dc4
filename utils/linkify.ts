/**
 * Splits message text into plain text and links. Only http(s) URLs become links, so `javascript:` and
 * friends stay text; the caller renders both as text nodes (never HTML).
 */
export type TextPart = { kind: 'text', text: string } | { kind: 'link', text: string, href: string }

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/giu
// Punctuation that usually ends a sentence rather than the URL.
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '»', '」', '』', '>'])

/** Drops trailing punctuation, but keeps a ")" that closes a "(" inside the URL (Wikipedia links). */
function trimTrailing(url: string): string {
  let end = url.length
  while (end > 0 && TRAILING.has(url[end - 1]!)) {
    if (url[end - 1] === ')') {
      const head = url.slice(0, end)
      if ((head.match(/\(/g)?.length ?? 0) >= (head.match(/\)/g)?.length ?? 0)) break
    }
    end--
  }
  return url.slice(0, end)
}

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
    const url = trimTrailing(match[0])
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
