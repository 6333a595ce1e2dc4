/** Input rules shared by the server (authoritative) and the web app (instant feedback). */
import { z } from 'zod'

export const USERNAME_RE = /^[\p{L}\p{N}_.-]{2,32}$/u
// Control characters other than newline and tab are refused in any text a user writes.
// eslint-disable-next-line no-control-regex
export const FORBIDDEN_CONTROL_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/
// Half of a surrogate pair on its own is not text: UTF-8 (and so the database) cannot hold it and
// would store U+FFFD instead, so the sender would see one string and everyone else another.
export const LONE_SURROGATE_RE = /\p{Cs}/u

export const LIMITS = {
  MESSAGE_MAX: 4000,
  ROOM_NAME_MAX: 100,
  ROOM_DESCRIPTION_MAX: 500,
  CLIENT_MSG_ID_MAX: 64,
  PAGE_MAX: 100,
  EVENTS_PAGE_MAX: 500,
  USER_SEARCH_MAX: 20,
} as const

export const emailSchema = z.string({ error: 'Email is required' }).trim().toLowerCase().max(254, 'Email is too long').pipe(z.email({ error: 'Enter a valid email address' }))
export const usernameSchema = z.string({ error: 'Username is required' }).trim().regex(USERNAME_RE, '2 to 32 letters, digits, _, . or -')
export const passwordSchema = z.string({ error: 'Password is required' }).min(8, 'At least 8 characters').max(128, 'At most 128 characters')

export const registerSchema = z.object({ email: emailSchema, username: usernameSchema, password: passwordSchema })
export const loginSchema = z.object({ email: emailSchema, password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(128, 'At most 128 characters') })

/** Text a user writes: trimmed, non-empty, no control characters but newline and tab. */
export const textSchema = (max: number, what: string) => z.string({ error: `${what} is required` })
  .trim()
  .min(1, `${what} must not be empty`)
  .max(max, `${what} must be at most ${max} characters`)
  .refine(s => !FORBIDDEN_CONTROL_RE.test(s), `${what} must not contain control characters`)
  .refine(s => !LONE_SURROGATE_RE.test(s), `${what} must be valid Unicode text`)

export const messageContentSchema = textSchema(LIMITS.MESSAGE_MAX, 'Content')
export const clientMsgIdSchema = z.string().trim().min(1).max(LIMITS.CLIENT_MSG_ID_MAX, `At most ${LIMITS.CLIENT_MSG_ID_MAX} characters`)
  .refine(s => !FORBIDDEN_CONTROL_RE.test(s), 'Must not contain control characters')
  .refine(s => !LONE_SURROGATE_RE.test(s), 'Must be valid Unicode text')

/** Positive integer ids, from JSON numbers or path/query strings. */
export const idSchema = z.coerce.number({ error: 'Must be a positive integer' }).int('Must be a positive integer').positive('Must be a positive integer').max(Number.MAX_SAFE_INTEGER)
export const strictIdSchema = z.number({ error: 'Must be a positive integer' }).int('Must be a positive integer').positive('Must be a positive integer').max(Number.MAX_SAFE_INTEGER)
