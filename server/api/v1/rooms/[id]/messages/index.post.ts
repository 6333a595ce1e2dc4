import { setResponseStatus } from 'h3'
import { defineApiHandler } from '../../../../../lib/http/handler'
import { readValidatedJson, validatedParams } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { roomIdParams, sendMessageSchema } from '../../../../../../shared/protocol/room-schemas'
import { sendMessage } from '../../../../../services/messages'
import { allowUserSend } from '../../../../../lib/user-send-limit'
import { rateLimited } from '../../../../../lib/errors/app-error'

// 201 for a new message; 200 with the stored one when its client_msg_id was seen before.
export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  if (!allowUserSend(userId)) throw rateLimited(1)
  const { id } = validatedParams(event, roomIdParams)
  const input = await readValidatedJson(event, sendMessageSchema)
  const { message, created } = await sendMessage(userId, id, input)
  setResponseStatus(event, created ? 201 : 200)
  return message
})
