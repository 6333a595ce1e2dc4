import { setResponseStatus } from 'h3'
import { defineApiHandler } from '../../../../../lib/http/handler'
import { readValidatedJson, validatedParams } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { inviteSchema, roomIdParams } from '../../../../../../shared/protocol/room-schemas'
import { addMember } from '../../../../../services/membership'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, roomIdParams)
  const { user_id } = await readValidatedJson(event, inviteSchema)
  const member = await addMember(userId, id, user_id)
  setResponseStatus(event, 201)
  return member
})
