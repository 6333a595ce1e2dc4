/**
 * Hostile input for the abuse suite: odd values for any field, injection and XSS strings, unicode
 * edge cases, deep nesting, and byte-level mutations of valid input. Values are raw JSON text so
 * they can hold what JSON.stringify never writes (1e309, -0, lone surrogates, duplicate keys).
 */
import type { Rng } from './harness'

const nest = (open: string, close: string, depth: number, inner = '1') => open.repeat(depth) + inner + close.repeat(depth)

/** Raw JSON values of every wrong type and edge, to put in place of any field. */
export const ODD_VALUES: readonly string[] = [
  'null', 'true', 'false', '0', '-0', '-1', '1.5', '1e309', '-1e309', '1e-400', '9007199254740993', '18446744073709551616',
  '2147483648', '4294967296', '0.1e1', '1E2', '"1"', '"0x10"', '"NaN"', '"Infinity"', '"-Infinity"', '"1e309"', '" 1 "', '""', '" "',
  '[]', '{}', '[1]', '[null]', '["1"]', '{"$gt":""}', '{"1":1}', '[[[[[]]]]]',
  '"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"', '"\\ufeff"', '"\\u202e"', '"\\u0007bell"',
  '"<script>alert(1)</script>"', '"\'; DROP TABLE users; --"',
  '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
  JSON.stringify('x'.repeat(4001)), JSON.stringify('한'.repeat(4000)), JSON.stringify('😀'.repeat(2001)),
  nest('[', ']', 2000), nest('{"a":', '}', 1000),
]

/** SQL fragments that would do harm if anything pasted them into a query. */
export const SQL_INJECTION: readonly string[] = [
  '\'; DROP TABLE users; --',
  '" OR 1=1 --',
  '\' OR \'1\'=\'1',
  '1; DELETE FROM messages WHERE 1=1',
  'admin\'--',
  '\') UNION SELECT email, password_hash FROM users --',
  '%',
  '_',
  '%_%',
  '100% of_us \\% \\_',
  '\\\'; SELECT SLEEP(5); --',
  '`users`; TRUNCATE rooms',
  '0x27 CHAR(39) \\x00',
]

/** Markup that would run if a client inserted it as HTML. */
export const XSS: readonly string[] = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)><circle r=1 /></svg>',
  '<svg><script href="data:text/javascript,alert(1)"/></svg>',
  'javascript:alert(document.cookie)',
  '[click](javascript:alert(1))',
  '<a href="jAvAsCrIpT:alert(1)">x</a>',
  '"><iframe src=javascript:alert(1)>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '{{constructor.constructor(\'alert(1)\')()}}',
  '${alert(1)}',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<style>@import "javascript:alert(1)";</style>',
]

/** Text that is legal but tends to trip up storage, collation or rendering. */
export const UNICODE: readonly string[] = [
  'user\u202Egnp.exe',
  '\u202Bعربي\u202C mixed English',
  'zero\u200Bwidth\u200Cjoiner\u200Dhere',
  '👩‍👩‍👧‍👦 family ZWJ',
  '🏳️‍🌈 flag and skin tone 👍🏿',
  'Z̴̧̛a̷̢͝l̸̨̛g̵̨͠ǫ̶̛ text',
  '한국어 메시지 검색',
  '𝕳𝖊𝖑𝖑𝖔 astral plane 𠜎𠜱',
  'noncharacter \uFFFF and \uFFFE inside',
  'NBSP\u00A0inside and ideographic\u3000space',
  'line\nbreak\tand tab',
  'ﷺ ﷽ long ligatures',
  'İstanbul ß ﬃ case folding',
  'a\u0301 vs á (NFD vs NFC)',
]

/** A string made of `n` random UTF-16 code units from the ranges that break things most. */
export function randomText(r: Rng, n: number): string {
  const ranges: Array<[number, number]> = [[0x20, 0x7e], [0x00, 0x1f], [0x80, 0x2ff], [0xac00, 0xd7a3], [0xd800, 0xdfff], [0xfff0, 0xffff], [0x200b, 0x202e]]
  let out = ''
  for (let i = 0; i < n; i++) {
    const [lo, hi] = r.pick(ranges)
    out += String.fromCharCode(lo + r.int(hi - lo + 1))
  }
  return out
}

export function randomBytes(r: Rng, n: number): Buffer {
  const buf = Buffer.alloc(n)
  for (let i = 0; i < n; i++) buf[i] = r.int(256)
  return buf
}

/** Byte-level damage to valid input: flips, cuts, duplications, insertions. */
export function mutate(r: Rng, text: string): string {
  const chars = [...text]
  const edits = 1 + r.int(4)
  for (let e = 0; e < edits && chars.length; e++) {
    const i = r.int(chars.length)
    switch (r.int(6)) {
      case 0: chars.splice(i, 1); break
      case 1: chars.splice(i, 0, r.pick(['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', 'e9', '-', '0'])); break
      case 2: chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) ^ (1 << r.int(7))); break
      case 3: chars.splice(i, 0, ...chars.slice(i, i + 1 + r.int(20))); break
      case 4: chars.length = i; break
      default: chars.splice(i, 0, r.pick(ODD_VALUES)); break
    }
  }
  return chars.join('')
}

export const deepNesting = nest
