import { sendNoContent } from 'h3'
import { defineApiHandler } from '../../../../lib/http/handler'
import { readValidatedJson, validatedParams } from '../../../../lib/http/validate'
import { requireUser } from '../../../../lib/auth/require-user'
import { markReadSchema, roomIdParams } from '../../../../../shared/protocol/room-schemas'
import { markRead } from '../../../../services/messages'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  const { message_id } = await readValidatedJson(event, markReadSchema)
  await markRead(userId, id, message_id)
  return sendNoContent(event)
})
