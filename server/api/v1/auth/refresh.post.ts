import { z } from 'zod'
import { defineApiHandler } from '../../../lib/http/handler'
import { readValidatedJson } from '../../../lib/http/validate'
import { readRefreshToken, setRefreshCookie, clearRefreshCookie } from '../../../lib/auth/refresh-cookie'
import { unauthorized } from '../../../lib/errors/app-error'
import { refresh } from '../../../services/auth'

const bodySchema = z.object({ refresh_token: z.string().min(1).max(200).optional() })

export default defineApiHandler(async (event) => {
  const body = await readValidatedJson(event, bodySchema)
  const { token, viaCookie } = readRefreshToken(event, body.refresh_token)
  if (!token) throw unauthorized('A refresh token is required')
  try {
    const { session_id: _s, user_id: _u, ...tokens } = await refresh(token)
    if (viaCookie) setRefreshCookie(event, tokens.refresh_token)
    return tokens
  }
  catch (err) {
    if (viaCookie) clearRefreshCookie(event)
    throw err
  }
})
