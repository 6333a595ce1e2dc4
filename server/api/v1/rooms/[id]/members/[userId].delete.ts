import { sendNoContent } from 'h3'
import { defineApiHandler } from '../../../../../lib/http/handler'
import { validatedParams } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { roomUserParams } from '../../../../../../shared/protocol/room-schemas'
import { removeMember } from '../../../../../services/membership'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id, userId: targetId } = validatedParams(event, roomUserParams)
  await removeMember(userId, id, targetId)
  return sendNoContent(event)
})
