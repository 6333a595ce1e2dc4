/**
 * Starts real time: domain events -> frames, the Redis relay when configured, presence, server
 * pings; and on SIGTERM, stops accepting sockets, closes them with 1001 so clients reconnect
 * elsewhere, and lets in-flight writes finish before the process exits.
 */
import { defineNitroPlugin } from 'nitropack/runtime'
import { startFanout } from '../realtime/fanout'
import { startCluster, stopCluster } from '../realtime/cluster'
import { startPresence, stopPresence } from '../realtime/presence'
import { drainInflight } from '../realtime/inflight'
import { hub } from '../realtime/hub'
import { startHeartbeat } from '../realtime/heartbeat'
import { closeDb } from '../lib/db/client'
import { startShutdown } from '../lib/shutdown-state'
import { errorFields, log } from '../lib/logger'
import { CLOSE_CODES } from '../../shared/protocol/frames'

const PING_INTERVAL_MS = Number(process.env.WS_PING_INTERVAL_MS) || 30_000

export default defineNitroPlugin((nitroApp) => {
  startFanout()
  startCluster()
    .then(startPresence)
    .catch(err => log.error('realtime start failed', errorFields(err)))

  // A peer that misses a whole interval without a pong is gone: 30 to 60 s by default. The pings
  // are spread over the interval (heartbeat.ts) so that no turn writes one to every socket.
  const pinger = startHeartbeat(PING_INTERVAL_MS, () => hub.allSockets())

  // Registered before Nitro's own graceful-shutdown handler, so sockets hear 1001 first.
  process.once('SIGTERM', () => {
    startShutdown()
    for (const conn of [...hub.allSockets()]) conn.close(CLOSE_CODES.GOING_AWAY, 'server shutting down')
  })

  nitroApp.hooks.hook('close', async () => {
    startShutdown()
    clearInterval(pinger)
    await drainInflight(10_000)
    await stopPresence()
    await stopCluster()
    await closeDb()
  })
})
