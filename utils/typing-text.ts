/** "A is typing…", "A and B are typing…", "Several people are typing…" in the viewer's language. */
export type Translate = (key: string, params?: Record<string, string | number>) => string

export function typingText(names: readonly string[], t: Translate): string {
  if (names.length === 0) return ''
  if (names.length === 1) return t('typing.one', { a: names[0]! })
  if (names.length === 2) return t('typing.two', { a: names[0]!, b: names[1]! })
  return t('typing.many')
}
