/**
 * Errors under /api that never reached a route handler (a method the path does not take, a path
 * Nitro's router gave to the page renderer) would get Nuxt's error page or Nitro's JSON shape,
 * even as HTML for a browser. Here they answer in the protocol's `{error, code}` shape, always
 * JSON. Everything else goes on to Nuxt's handler.
 */
import { send, setResponseHeaders, setResponseStatus } from 'h3'
import { defineNitroErrorHandler } from 'nitropack/runtime'
import { AppError, notFound, toAppError } from '../errors/app-error'
import { errorFields, log } from '../logger'

export default defineNitroErrorHandler((error, event) => {
  if (!event.path.startsWith('/api/') && event.path !== '/api') return
  const status = error.statusCode || 500
  const appError = status === 404 || status === 405 ? notFound('Route') : status < 500 ? new AppError(400, 'VALIDATION_FAILED', 'Bad request') : toAppError(error)
  if (appError.status >= 500) log.error('request failed', { method: event.method, path: event.path.split('?')[0], ...errorFields(error) })
  setResponseStatus(event, appError.status)
  setResponseHeaders(event, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  return send(event, JSON.stringify(appError.toBody()))
})
