import { defineApiHandler } from '../../../../../lib/http/handler'
import { readValidatedJson, validatedParams } from '../../../../../lib/http/validate'
import { requireUser } from '../../../../../lib/auth/require-user'
import { memberRoleSchema, roomUserParams } from '../../../../../../shared/protocol/room-schemas'
import { setMemberRole } from '../../../../../services/membership'

// Extension (docs/protocol.md): the owner makes a member an admin, or an admin a member again.
export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id, userId: targetId } = validatedParams(event, roomUserParams)
  const { role } = await readValidatedJson(event, memberRoleSchema)
  return setMemberRole(userId, id, targetId, role)
})
