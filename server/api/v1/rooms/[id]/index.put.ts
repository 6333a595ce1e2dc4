import { defineApiHandler } from '../../../../lib/http/handler'
import { readValidatedJson, validatedParams } from '../../../../lib/http/validate'
import { requireUser } from '../../../../lib/auth/require-user'
import { roomIdParams, updateRoomSchema } from '../../../../../shared/protocol/room-schemas'
import { updateRoom } from '../../../../services/rooms'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  const input = await readValidatedJson(event, updateRoomSchema)
  return updateRoom(userId, id, input)
})
