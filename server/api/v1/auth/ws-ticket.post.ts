import { defineApiHandler } from '../../../lib/http/handler'
import { requireUser } from '../../../lib/auth/require-user'
import { signToken } from '../../../lib/auth/jwt'

/** A 30-second ticket for `/ws?ticket=`, so the web app never puts its access token in a URL. */
export const WS_TICKET_TTL_SECONDS = 30

export default defineApiHandler(async (event) => {
  const { userId, sessionId } = await requireUser(event)
  return { ticket: await signToken(userId, sessionId, 'ws_ticket', WS_TICKET_TTL_SECONDS), expires_in: WS_TICKET_TTL_SECONDS }
})
