/**
 * WebSocket frames of PROTOCOL.md: one envelope `{type, payload, timestamp?, request_id?}` both ways.
 * Client frames are validated against this discriminated union on the server.
 */
import { z } from 'zod'
import { clientMsgIdSchema, messageContentSchema, strictIdSchema } from './validation'

const roomOnly = z.object({ room_id: strictIdSchema })

export const clientPayloadSchemas = {
  join_room: roomOnly,
  leave_room: roomOnly,
  send_message: z.object({
    room_id: strictIdSchema,
    content: messageContentSchema,
    message_type: z.literal('text').optional(),
    client_msg_id: clientMsgIdSchema.optional(),
  }),
  typing: z.object({ room_id: strictIdSchema, is_typing: z.boolean() }),
  mark_read: z.object({ room_id: strictIdSchema, message_id: strictIdSchema }),
  ping: z.object({}).passthrough(),
} as const

export type ClientFrameType = keyof typeof clientPayloadSchemas
export type ClientPayload<T extends ClientFrameType> = z.infer<typeof clientPayloadSchemas[T]>

export const CLIENT_FRAME_TYPES = Object.keys(clientPayloadSchemas) as ClientFrameType[]

export type ServerFrameType =
  | 'new_message' | 'message_ack' | 'message_updated' | 'message_deleted'
  | 'member_added' | 'member_removed' | 'room_updated' | 'room_joined' | 'room_left'
  | 'user_joined' | 'user_left' | 'user_typing' | 'presence_update' | 'room_invited'
  | 'read_updated' | 'error' | 'pong' | 'room_deleted'

export interface Frame<P = Record<string, unknown>> {
  type: string
  payload: P
  timestamp?: string
  request_id?: string | number
}

/** Server -> client close codes besides the standard ones. */
export const CLOSE_CODES = {
  GOING_AWAY: 1001,
  POLICY: 1008,
  TOO_BIG: 1009,
  SESSION_ENDED: 4001,
  TOO_MANY_SOCKETS: 4008,
  RATE_ABUSE: 4029,
} as const
