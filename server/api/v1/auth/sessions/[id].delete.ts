import { setResponseStatus } from 'h3'
import { z } from 'zod'
import { defineApiHandler } from '../../../../lib/http/handler'
import { validatedParams } from '../../../../lib/http/validate'
import { requireUser } from '../../../../lib/auth/require-user'
import { idSchema } from '../../../../../shared/protocol/validation'
import { endSession } from '../../../../services/auth'

/** Extension: end one of your sessions; its tokens stop working and its sockets close. */
export default defineApiHandler(async (event) => {
  const { userId } = await requireUser(event)
  const { id } = validatedParams(event, z.object({ id: idSchema }))
  await endSession(userId, id)
  setResponseStatus(event, 204)
  return null
})
