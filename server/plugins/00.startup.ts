/**
 * Validates configuration and prepares the database as the server starts, printing one clear line
 * per problem. Requests that arrive meanwhile wait on the same "database ready" promise.
 */
import { defineNitroPlugin } from 'nitropack/runtime'
import { WebSocketServer } from 'ws'
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
  // The Node adapter is given our own `ws` server (`wss`, which crossws 0.3 does not type) instead
  // of building one from the copy of ws 8.18 it bundles. ws 8.23 (pinned) drops each frame's mask
  // once it is applied; 8.18 kept it, a view that held the last chunk read from every idle socket.
  // And without client tracking no socket is also kept in `wss.clients` with a close listener of
  // its own: nothing reads that Set (the hub knows every socket; crossws' `closeAll()`, the only
  // reader, is never called). About 0.25 KB an idle socket (issue #6).
  nitroApp.h3App.options.websocket = { ...nitroApp.h3App.options.websocket, wss: new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: config.limits.wsFrameBytes * 4 }) } as typeof nitroApp.h3App.options.websocket

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
