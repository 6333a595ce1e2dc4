import { defineApiHandler } from '../../../../../lib/http/handler'
import { validatedParams } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { roomIdParams } from '../../../../../../shared/protocol/room-schemas'
import { listMembers } from '../../../../../services/membership'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  return listMembers(userId, id)
})
