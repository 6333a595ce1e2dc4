import { z } from 'zod'
import { defineApiHandler } from '../../../lib/http/handler'
import { readValidatedJson } from '../../../lib/http/validate'
import { requireUser } from '../../../lib/auth/require-user'
import { limitAuthAttempt } from '../../../lib/auth/auth-limits'
import { passwordSchema } from '../../../../shared/protocol/validation'
import { changePassword } from '../../../services/auth'

const bodySchema = z.object({ current_password: z.string().min(1, 'Required').max(128), new_password: passwordSchema }).strict()

/** Extension: change your password; every other session ends. */
export default defineApiHandler(async (event) => {
  const { userId, sessionId } = await requireUser(event)
  const body = await readValidatedJson(event, bodySchema)
  limitAuthAttempt(event, `password:${userId}`)
  await changePassword(userId, sessionId, body.current_password, body.new_password)
  return { message: 'Password changed; your other sessions have ended' }
})
