import { z } from 'zod'
import { defineApiHandler } from '../../../lib/http/handler'
import { readValidatedJson } from '../../../lib/http/validate'
import { requireUser } from '../../../lib/auth/require-user'
import { clearRefreshCookie, readRefreshToken } from '../../../lib/auth/refresh-cookie'
import { logout } from '../../../services/auth'

const bodySchema = z.object({ refresh_token: z.string().min(1).max(200).optional() })

export default defineApiHandler(async (event) => {
  const auth = await requireUser(event)
  const body = await readValidatedJson(event, bodySchema)
  const { token } = readRefreshToken(event, body.refresh_token)
  await logout(auth.userId, auth.sessionId, token)
  clearRefreshCookie(event)
  return { message: 'Logged out' }
})
