import { defineEventHandler, setResponseHeader, setResponseStatus, type EventHandler, type H3Event } from 'h3'
import { toAppError } from '../errors/app-error'
import { errorFields, log } from '../logger'

/**
 * Every /api route is wrapped in this: any error becomes the protocol's `{error, code}` body with
 * its status, and anything unexpected becomes a bare 500 that is logged, never shown.
 */
export function defineApiHandler<T>(handler: (event: H3Event) => Promise<T> | T): EventHandler {
  return defineEventHandler(async (event) => {
    try {
      return await handler(event)
    }
    catch (err) {
      const appError = toAppError(err)
      if (appError.status >= 500) log.error('request failed', { method: event.method, path: event.path.split('?')[0], ...errorFields(err) })
      setResponseStatus(event, appError.status)
      if (appError.retryAfterSeconds) setResponseHeader(event, 'Retry-After', appError.retryAfterSeconds)
      setResponseHeader(event, 'Cache-Control', 'no-store')
      return appError.toBody()
    }
  })
}
