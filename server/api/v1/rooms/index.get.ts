import { defineApiHandler } from '../../../lib/http/handler'
import { requireUser } from '../../../lib/auth/require-user'
import { listRooms } from '../../../services/rooms'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  return listRooms(userId)
})
