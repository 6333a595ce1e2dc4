import { sendNoContent } from 'h3'
import { defineApiHandler } from '../../../../../lib/http/handler'
import { validatedParams } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { roomMessageParams } from '../../../../../../shared/protocol/room-schemas'
import { deleteMessage } from '../../../../../services/messages'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id, messageId } = validatedParams(event, roomMessageParams)
  await deleteMessage(userId, id, messageId)
  return sendNoContent(event)
})
