import { getHeader } from 'h3'
import { defineApiHandler } from '../../../lib/http/handler'
import { readValidatedJson } from '../../../lib/http/validate'
import { limitAuthAttempt } from '../../../lib/auth/auth-limits'
import { setRefreshCookie } from '../../../lib/auth/refresh-cookie'
import { loginSchema } from '../../../../shared/protocol/validation'
import { login } from '../../../services/auth'

export default defineApiHandler(async (event) => {
  const input = await readValidatedJson(event, loginSchema)
  limitAuthAttempt(event, input.email)
  const { session_id: _sessionId, ...result } = await login(input, getHeader(event, 'user-agent'))
  setRefreshCookie(event, result.refresh_token)
  return result
})
