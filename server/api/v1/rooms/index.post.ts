import { setResponseStatus } from 'h3'
import { defineApiHandler } from '../../../lib/http/handler'
import { readValidatedJson } from '../../../lib/http/validate'
import { requireUser } from '../../../lib/auth/require-user'
import { createRoomSchema } from '../../../../shared/protocol/room-schemas'
import { createRoom } from '../../../services/rooms'

// 201 for a new room; 200 when a direct room with that person already existed.
export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const input = await readValidatedJson(event, createRoomSchema)
  const { room, created } = await createRoom(userId, input)
  setResponseStatus(event, created ? 201 : 200)
  return room
})
