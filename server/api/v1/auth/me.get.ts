import { defineApiHandler } from '../../../lib/http/handler'
import { requireUser } from '../../../lib/auth/require-user'
import { me } from '../../../services/auth'

export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  return me(userId)
})
