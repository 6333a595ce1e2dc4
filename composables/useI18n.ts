/**
 * Korean and English without a dependency. The locale comes from the `mm_locale` cookie, else the
 * request's Accept-Language (server) — computed once on the server and hydrated through useState, so
 * server and client render the same words (no hydration mismatch).
 */
import { LOCALE_COOKIE, isLocale, pickLocale, translate, type Locale } from '~/utils/i18n-core'

export function useI18n() {
  const cookie = useCookie<string | null>(LOCALE_COOKIE, { maxAge: 60 * 60 * 24 * 365, sameSite: 'lax', path: '/' })
  const locale = useState<Locale>('locale', () => {
    if (isLocale(cookie.value)) return cookie.value
    if (import.meta.server) return pickLocale(useRequestHeaders(['accept-language'])['accept-language'])
    return pickLocale(navigator.languages)
  })

  function t(key: string, params?: Record<string, string | number>): string {
    return translate(locale.value, key, params)
  }

  function setLocale(next: Locale) {
    locale.value = next
    cookie.value = next
  }

  /** Date/time in the viewer's own time zone and language. */
  function formatTime(iso: string): string {
    return new Intl.DateTimeFormat(locale.value, { hour: 'numeric', minute: '2-digit' }).format(new Date(iso))
  }

  function formatDay(iso: string): string {
    const d = new Date(iso)
    const today = new Date()
    const yesterday = new Date(today.getTime() - 86_400_000)
    if (d.toDateString() === today.toDateString()) return t('chat.today')
    if (d.toDateString() === yesterday.toDateString()) return t('chat.yesterday')
    return new Intl.DateTimeFormat(locale.value, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(d)
  }

  /** Short time for lists: time today, else the date. */
  function formatShort(iso: string): string {
    const d = new Date(iso)
    if (d.toDateString() === new Date().toDateString()) return formatTime(iso)
    return new Intl.DateTimeFormat(locale.value, { month: 'short', day: 'numeric' }).format(d)
  }

  function formatFull(iso: string): string {
    return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
  }

  return { locale, t, setLocale, formatTime, formatDay, formatShort, formatFull }
}
