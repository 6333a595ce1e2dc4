/**
 * Input schemas of the rooms, members, messages and users routes. Shared so the web app can give
 * the same feedback as the server; every object is `.strict()` so unknown fields (an `owner_id`,
 * a `seq`, a `role`) are refused instead of silently assigned.
 */
import { z } from 'zod'
import { clientMsgIdSchema, FORBIDDEN_CONTROL_RE, idSchema, LONE_SURROGATE_RE, LIMITS, messageContentSchema, strictIdSchema, textSchema } from './validation'

export const ROOM_LIMITS = {
  /** The smallest room a creator may ask for (and the size of a direct room). */
  MIN_MEMBERS: 2,
  /** The default and largest `max_members`. */
  MAX_MEMBERS: 1000,
  /** Initial members a creator may list at once. */
  INITIAL_MEMBERS_MAX: 100,
} as const

export const roomNameSchema = textSchema(LIMITS.ROOM_NAME_MAX, 'Name')
/** An empty description clears it. */
export const roomDescriptionSchema = z.string({ error: 'Description must be text' }).trim()
  .max(LIMITS.ROOM_DESCRIPTION_MAX, `Description must be at most ${LIMITS.ROOM_DESCRIPTION_MAX} characters`)
  .refine(s => !FORBIDDEN_CONTROL_RE.test(s), 'Description must not contain control characters')
  .refine(s => !LONE_SURROGATE_RE.test(s), 'Description must be valid Unicode text')
  .nullable()

export const createRoomSchema = z.object({
  name: z.unknown().optional(),
  description: roomDescriptionSchema.optional(),
  room_type: z.enum(['group', 'private'], { error: 'Must be group or private' }).default('group'),
  member_ids: z.array(strictIdSchema, { error: 'Must be a list of user ids' }).max(ROOM_LIMITS.INITIAL_MEMBERS_MAX, `At most ${ROOM_LIMITS.INITIAL_MEMBERS_MAX} members at once`).default([]),
  /** Extension: a smaller room than the default. */
  max_members: z.number({ error: 'Must be an integer' }).int('Must be an integer').min(ROOM_LIMITS.MIN_MEMBERS, `At least ${ROOM_LIMITS.MIN_MEMBERS}`).max(ROOM_LIMITS.MAX_MEMBERS, `At most ${ROOM_LIMITS.MAX_MEMBERS}`).optional(),
}).strict().superRefine((input, ctx) => {
  // A group needs a valid name; a direct room is named after the other person, so any name is ignored.
  if (input.room_type === 'group') {
    const name = roomNameSchema.safeParse(input.name)
    if (!name.success) ctx.addIssue({ code: 'custom', path: ['name'], message: name.error.issues[0]!.message })
  }
  else if (input.member_ids.length !== 1) {
    ctx.addIssue({ code: 'custom', path: ['member_ids'], message: 'A private room has exactly one other member' })
  }
}).transform(input => ({ ...input, name: input.room_type === 'group' ? roomNameSchema.parse(input.name) : '' }))

export const updateRoomSchema = z.object({
  name: roomNameSchema.optional(),
  description: roomDescriptionSchema.optional(),
}).strict()

export const inviteSchema = z.object({ user_id: strictIdSchema }).strict()
export const memberRoleSchema = z.object({ role: z.enum(['admin', 'member'], { error: 'Must be admin or member' }) }).strict()

export const sendMessageSchema = z.object({
  content: messageContentSchema,
  // `system` messages are written by the server only; a client asking for one is refused.
  message_type: z.literal('text', { error: 'Clients may only send text messages' }).optional(),
  client_msg_id: clientMsgIdSchema.nullish(),
}).strict()

export const editMessageSchema = z.object({ content: messageContentSchema }).strict()
export const markReadSchema = z.object({ message_id: strictIdSchema }).strict()

const limitSchema = (max: number, fallback: number) => z.coerce.number({ error: `Must be an integer from 1 to ${max}` })
  .int(`Must be an integer from 1 to ${max}`).min(1, `Must be an integer from 1 to ${max}`).max(max, `Must be an integer from 1 to ${max}`).default(fallback)
const seqSchema = z.coerce.number({ error: 'Must be a non-negative integer' }).int('Must be a non-negative integer').min(0, 'Must be a non-negative integer').max(Number.MAX_SAFE_INTEGER)

export const listMessagesQuerySchema = z.object({
  limit: limitSchema(LIMITS.PAGE_MAX, 50),
  before: idSchema.optional(),
  after_seq: seqSchema.optional(),
  offset: seqSchema.optional(),
}).superRefine((q, ctx) => {
  const cursors = (['before', 'after_seq', 'offset'] as const).filter(k => q[k] !== undefined)
  if (cursors.length > 1) ctx.addIssue({ code: 'custom', path: [cursors[1]!], message: 'Use only one of before, after_seq and offset' })
})

export const listEventsQuerySchema = z.object({
  after_seq: seqSchema,
  limit: limitSchema(LIMITS.EVENTS_PAGE_MAX, 100),
})

export const userSearchQuerySchema = z.object({
  q: z.string({ error: 'Search text is required' }).trim().min(1, 'Search text is required').max(32, 'At most 32 characters'),
  limit: limitSchema(LIMITS.USER_SEARCH_MAX, LIMITS.USER_SEARCH_MAX),
})

export const roomIdParams = z.object({ id: idSchema })
export const roomUserParams = z.object({ id: idSchema, userId: idSchema })
export const roomMessageParams = z.object({ id: idSchema, messageId: idSchema })

export type CreateRoomInput = z.infer<typeof createRoomSchema>
export type UpdateRoomInput = z.infer<typeof updateRoomSchema>
export type SendMessageInput = z.input<typeof sendMessageSchema>
export type ListMessagesQuery = z.infer<typeof listMessagesQuerySchema>
