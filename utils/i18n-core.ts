/** The tiny translation core: pick a supported locale, look up a key, fill `{params}`. */
import en from '../locales/en'
import ko from '../locales/ko'

export const LOCALES = ['en', 'ko'] as const
export type Locale = typeof LOCALES[number]
export type MessageKey = keyof typeof en
export const LOCALE_COOKIE = 'mm_locale'

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ko }

export function isLocale(x: unknown): x is Locale {
  return typeof x === 'string' && (LOCALES as readonly string[]).includes(x)
}

/** The best supported locale for an Accept-Language header or navigator.languages list. */
export function pickLocale(preferences: string | readonly string[] | null | undefined): Locale {
  const list = typeof preferences === 'string'
    ? preferences.split(',').map(p => p.split(';')[0]!.trim())
    : preferences ?? []
  for (const tag of list) {
    const base = tag.toLowerCase().split('-')[0]
    if (isLocale(base)) return base
  }
  return 'en'
}

export function translate(locale: Locale, key: string, params?: Record<string, string | number>): string {
  const text = catalogs[locale][key as MessageKey] ?? catalogs.en[key as MessageKey] ?? key
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`))
}
