import { describe, expect, it } from 'vitest'
import { clientMsgIdSchema, messageContentSchema, registerSchema, usernameSchema } from '../../shared/protocol/validation'
import { roomDescriptionSchema } from '../../shared/protocol/room-schemas'

describe('usernames', () => {
  it('accept Hangul, letters, digits, _ . - from 2 to 32 characters', () => {
    for (const ok of ['김철수', 'ab', 'a.b-c_d', 'Ünïcode', '가'.repeat(32)]) expect(usernameSchema.safeParse(ok).success, ok).toBe(true)
    for (const bad of ['a', 'has space', 'semi;colon', '<script>', '가'.repeat(33), 'emoji😀']) expect(usernameSchema.safeParse(bad).success, bad).toBe(false)
  })
})

describe('message content', () => {
  it('is trimmed, 1 to 4000 characters, newline and tab allowed, other control characters refused', () => {
    expect(messageContentSchema.parse('  hi  ')).toBe('hi')
    expect(messageContentSchema.parse('a\n\tb')).toBe('a\n\tb')
    expect(messageContentSchema.safeParse('   ').success).toBe(false)
    expect(messageContentSchema.safeParse('x'.repeat(4001)).success).toBe(false)
    expect(messageContentSchema.safeParse('x'.repeat(4000)).success).toBe(true)
    expect(messageContentSchema.safeParse('a\u0000b').success).toBe(false)
    expect(messageContentSchema.safeParse('a\u001Bb').success).toBe(false)
  })
})

describe('lone surrogates', () => {
  it('are refused in text that gets stored, since UTF-8 would turn them into U+FFFD; real pairs pass', () => {
    for (const schema of [messageContentSchema, clientMsgIdSchema, roomDescriptionSchema]) {
      expect(schema.safeParse('a\uD800b').success).toBe(false)
      expect(schema.safeParse('a\uDFFF').success).toBe(false)
      expect(schema.safeParse('\uDC00\uD800').success).toBe(false)
      expect(schema.safeParse('emoji 😀 𠜎').success).toBe(true)
    }
  })
})

describe('register', () => {
  it('lower-cases and trims the email', () => {
    expect(registerSchema.parse({ email: ' A@B.CO ', username: 'ab', password: '12345678' }).email).toBe('a@b.co')
  })
})
