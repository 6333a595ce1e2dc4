/** What the batched message writer stores and answers; shared by its two ways of storing a batch. */
import type { Message } from '../../../shared/protocol/objects'

export interface SendRequest {
  userId: number
  roomId: number
  content: string
  clientMsgId: string | null
}

export interface SendResult {
  message: Message
  created: boolean
}

export type Outcome = { ok: SendResult } | { error: unknown }
