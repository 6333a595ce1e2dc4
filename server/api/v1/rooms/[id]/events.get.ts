import { defineApiHandler } from '../../../../lib/http/handler'
import { validatedParams, validatedQuery } from '../../../../lib/http/validate'
import { requireUser } from '../../../../lib/auth/require-user'
import { listEventsQuerySchema, roomIdParams } from '../../../../../shared/protocol/room-schemas'
import { listRoomEvents } from '../../../../services/rooms'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  const { after_seq, limit } = validatedQuery(event, listEventsQuerySchema)
  return listRoomEvents(userId, id, after_seq, limit)
})
