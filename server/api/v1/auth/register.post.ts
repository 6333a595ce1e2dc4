import { getHeader, setResponseStatus } from 'h3'
import { defineApiHandler } from '../../../lib/http/handler'
import { readValidatedJson } from '../../../lib/http/validate'
import { limitAuthAttempt } from '../../../lib/auth/auth-limits'
import { setRefreshCookie } from '../../../lib/auth/refresh-cookie'
import { registerSchema } from '../../../../shared/protocol/validation'
import { register } from '../../../services/auth'

export default defineApiHandler(async (event) => {
  limitAuthAttempt(event)
  const input = await readValidatedJson(event, registerSchema)
  const { session_id: _sessionId, ...result } = await register(input, getHeader(event, 'user-agent'))
  setRefreshCookie(event, result.refresh_token)
  setResponseStatus(event, 201)
  return result
})
