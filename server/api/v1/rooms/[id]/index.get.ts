import { defineApiHandler } from '../../../../lib/http/handler'
import { validatedParams } from '../../../../lib/http/validate'
import { requireUser } from '../../../../lib/auth/require-user'
import { roomIdParams } from '../../../../../shared/protocol/room-schemas'
import { getRoomForUser } from '../../../../services/rooms'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  return getRoomForUser(id, userId)
})
