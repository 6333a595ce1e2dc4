import { z } from 'zod'
import { defineApiHandler } from '../../../lib/http/handler'
import { validatedParams } from '../../../lib/http/validate'
import { requireUser } from '../../../lib/auth/require-user'
import { idSchema } from '../../../../shared/protocol/validation'
import { getPublicUser } from '../../../services/users'

const params = z.object({ id: idSchema })

export default defineApiHandler(async (event) => {
  await requireUser(event)
  const { id } = validatedParams(event, params)
  return getPublicUser(id)
})
