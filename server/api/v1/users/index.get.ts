import { defineApiHandler } from '../../../lib/http/handler'
import { validatedQuery } from '../../../lib/http/validate'
import { requireUser } from '../../../lib/auth/require-user'
import { userSearchQuerySchema } from '../../../../shared/protocol/room-schemas'
import { searchUsers } from '../../../services/users'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { q, limit } = validatedQuery(event, userSearchQuerySchema)
  return searchUsers(userId, q, limit)
})
