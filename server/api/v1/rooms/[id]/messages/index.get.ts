import { defineApiHandler } from '../../../../../lib/http/handler'
import { validatedParams, validatedQuery } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { listMessagesQuerySchema, roomIdParams } from '../../../../../../shared/protocol/room-schemas'
import { listMessages } from '../../../../../services/messages'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  const query = validatedQuery(event, listMessagesQuerySchema)
  return listMessages(userId, id, query)
})
