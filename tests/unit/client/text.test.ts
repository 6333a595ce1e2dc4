import { describe, expect, it } from 'vitest'
import type { Message } from '../../../shared/protocol/objects'
import { typingText } from '../../../utils/typing-text'
import { translate, pickLocale } from '../../../utils/i18n-core'
import { firstUnreadSeq, groupMessages, GROUP_GAP_MS } from '../../../utils/grouping'
import { linkify } from '../../../utils/linkify'
import { backoffDelay } from '../../../utils/backoff'

const en = (k: string, p?: Record<string, string | number>) => translate('en', k, p)
const ko = (k: string, p?: Record<string, string | number>) => translate('ko', k, p)

describe('typing text', () => {
  it('names one or two typists and summarises more', () => {
    expect(typingText([], en)).toBe('')
    expect(typingText(['A'], en)).toBe('A is typing…')
    expect(typingText(['A', 'B'], en)).toBe('A and B are typing…')
    expect(typingText(['A', 'B', 'C'], en)).toBe('Several people are typing…')
    expect(typingText(['민수', '지영'], ko)).toBe('민수님과 지영님이 입력 중…')
  })
})

describe('locale', () => {
  it('picks the first supported language, English otherwise', () => {
    expect(pickLocale('ko-KR,ko;q=0.9,en;q=0.8')).toBe('ko')
    expect(pickLocale(['fr-FR', 'en-US'])).toBe('en')
    expect(pickLocale(['de'])).toBe('en')
    expect(pickLocale(undefined)).toBe('en')
  })
})

const alice = { id: 1, username: 'alice', avatar_url: null, status: 'online' as const, last_seen_at: null, created_at: '' }
const bob = { ...alice, id: 2, username: 'bob' }
function m(seq: number, sender: typeof alice, at: string): Message {
  return { id: seq, room_id: 1, seq, sender, content: `#${seq}`, message_type: 'text', client_msg_id: null, is_edited: false, is_deleted: false, created_at: at }
}

describe('grouping', () => {
  const base = Date.UTC(2026, 10, 26, 10, 0)
  const at = (min: number) => new Date(base + min * 60_000).toISOString()

  it('groups consecutive messages of one sender and splits by day', () => {
    const msgs = [m(1, alice, at(0)), m(2, alice, at(1)), m(3, bob, at(2)), m(4, bob, at(3 + GROUP_GAP_MS / 60_000)), m(5, bob, at(24 * 60))]
    const rows = groupMessages(msgs, { timeZone: 'UTC' })
    expect(rows.map(r => (r.kind === 'message' ? `${r.message.seq}${r.first ? '*' : ''}` : r.kind))).toEqual(['day', '1*', '2', '3*', '4*', 'day', '5*'])
  })

  it('uses the viewer time zone for day boundaries', () => {
    // 23:30 and 00:30 UTC are the same day in Seoul (UTC+9) but not in UTC.
    const late = new Date(Date.UTC(2026, 10, 26, 23, 30)).toISOString()
    const early = new Date(Date.UTC(2026, 10, 27, 0, 30)).toISOString()
    const msgs = [m(1, alice, late), m(2, alice, early)]
    expect(groupMessages(msgs, { timeZone: 'UTC' }).filter(r => r.kind === 'day')).toHaveLength(2)
    expect(groupMessages(msgs, { timeZone: 'Asia/Seoul' }).filter(r => r.kind === 'day')).toHaveLength(1)
  })

  it('puts the "new messages" divider before the first unread message from others', () => {
    const msgs = [m(1, bob, at(0)), m(2, bob, at(1)), m(3, alice, at(2)), m(4, bob, at(3))]
    const seq = firstUnreadSeq(msgs, 2, alice.id)
    expect(seq).toBe(2)
    const rows = groupMessages(msgs, { firstUnreadSeq: seq, timeZone: 'UTC' })
    expect(rows.map(r => (r.kind === 'message' ? r.message.seq : r.kind))).toEqual(['day', 1, 'unread', 2, 3, 4])
    expect(firstUnreadSeq(msgs, 0, alice.id)).toBeNull()
  })
})

describe('links', () => {
  it('links only http(s) URLs and leaves everything else as text', () => {
    expect(linkify('see https://example.com/a?b=1, ok')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', ok' },
    ])
    expect(linkify('javascript:alert(1) <img src=x onerror=alert(1)>')).toEqual([{ kind: 'text', text: 'javascript:alert(1) <img src=x onerror=alert(1)>' }])
    expect(linkify('(https://ko.wikipedia.org/wiki/Foo_(bar))').find(p => p.kind === 'link')?.text).toBe('https://ko.wikipedia.org/wiki/Foo_(bar)')
    expect(linkify('http://a.test/"onmouseover=alert(1)')[0]).toMatchObject({ kind: 'link', href: 'http://a.test/' })
  })
})

describe('backoff', () => {
  it('grows exponentially, is capped, and is jittered', () => {
    expect(backoffDelay(0, { random: () => 0 })).toBe(250)
    expect(backoffDelay(3, { random: () => 1 })).toBe(4000)
    expect(backoffDelay(20, { random: () => 1 })).toBe(30_000)
    expect(backoffDelay(5, { random: () => 0.1 })).toBeLessThan(backoffDelay(5, { random: () => 0.9 }))
  })
})
