import { defineApiHandler } from '../../../../lib/http/handler'
import { validatedParams } from '../../../../lib/http/validate'
import { requireUser } from '../../../../lib/auth/require-user'
import { roomIdParams } from '../../../../../shared/protocol/room-schemas'
import { leaveRoom } from '../../../../services/membership'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  const { room_deleted } = await leaveRoom(userId, id)
  return { message: 'You left the room', room_id: id, room_deleted }
})
