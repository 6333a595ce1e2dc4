/** One structured line per request: method, path (never the query string), status, duration, user. */
import type { H3Event } from 'h3'
import { defineNitroPlugin } from 'nitropack/runtime'
import { log } from '../lib/logger'

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('request', (event: H3Event) => {
    event.context.startedAt = performance.now()
  })
  nitroApp.hooks.hook('afterResponse', (event: H3Event) => {
    const path = event.path.split('?')[0] ?? ''
    if (path === '/healthz' || path.startsWith('/_nuxt/')) return
    log.info('request', {
      method: event.method,
      path,
      status: event.node.res.statusCode,
      ms: Math.round((performance.now() - (event.context.startedAt ?? performance.now())) * 10) / 10,
      user_id: event.context.auth?.userId,
    })
  })
})
