import { defineEventHandler, setResponseStatus } from 'h3'
import { sql } from 'drizzle-orm'
import { useDb } from '../lib/db/client'
import { isShuttingDown } from '../lib/shutdown-state'

/** Readiness: the database answers and is migrated, and the instance is not draining. */
export default defineEventHandler(async (event) => {
  if (isShuttingDown()) {
    setResponseStatus(event, 503)
    return { status: 'draining' }
  }
  try {
    const db = await useDb()
    await db.execute(sql`SELECT 1 FROM __drizzle_migrations LIMIT 1`)
    return { status: 'ready' }
  }
  catch {
    setResponseStatus(event, 503)
    return { status: 'unavailable' }
  }
})
