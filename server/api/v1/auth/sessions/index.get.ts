import { defineApiHandler } from '../../../../lib/http/handler'
import { requireUser } from '../../../../lib/auth/require-user'
import { listSessions } from '../../../../services/auth'

/** Extension: your active logins. */
export default defineApiHandler(async (event) => {
  const { userId, sessionId } = await requireUser(event)
  return listSessions(userId, sessionId)
})
