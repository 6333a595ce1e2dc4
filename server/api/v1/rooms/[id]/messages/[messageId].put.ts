import { defineApiHandler } from '../../../../../lib/http/handler'
import { readValidatedJson, validatedParams } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { editMessageSchema, roomMessageParams } from '../../../../../../shared/protocol/room-schemas'
import { editMessage } from '../../../../../services/messages'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id, messageId } = validatedParams(event, roomMessageParams)
  const { content } = await readValidatedJson(event, editMessageSchema)
  return editMessage(userId, id, messageId, content)
})
