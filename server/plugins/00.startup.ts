/**
 * Validates configuration and prepares the database as the server starts, printing one clear line
 * per problem. Requests that arrive meanwhile wait on the same "database ready" promise.
 */
import { defineNitroPlugin } from 'nitropack/runtime'
import { ConfigError, useConfig } from '../lib/config/env'
import { useDb } from '../lib/db/client'
import { errorFields, log } from '../lib/logger'
import { recordProcessError } from '../lib/process-errors'

export default defineNitroPlugin((nitroApp) => {
  let config
  try {
    config = useConfig()
  }
  catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) console.error(`config: ${problem}`)
      process.exit(1)
    }
    throw err
  }
  // crossws on Node accepts 100 MiB frames by default. The protocol limit (WS_MAX_FRAME_BYTES,
  // 64 KiB) is answered with an `error` frame and the socket stays up; a frame over 4x that is cut
  // off by `ws` itself (close 1009) before it is ever buffered whole.
  // `serverOptions` reaches the Node adapter's `ws` server, though crossws 0.3 does not type it.
  nitroApp.h3App.options.websocket = { ...nitroApp.h3App.options.websocket, serverOptions: { maxPayload: config.limits.wsFrameBytes * 4 } } as typeof nitroApp.h3App.options.websocket

  useDb().then(
    () => log.info('database ready', { host: config.db.host, port: config.db.port, database: config.db.database }),
    (err) => {
      console.error(`startup: ${(err as Error).message?.startsWith('Cannot connect') ? (err as Error).message : JSON.stringify(errorFields(err))}`)
      process.exit(1)
    },
  )

  process.on('unhandledRejection', err => recordProcessError('unhandled rejection', err))
  process.on('uncaughtException', err => recordProcessError('uncaught exception', err))
})
