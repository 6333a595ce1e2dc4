import { defineApiHandler } from '../../lib/http/handler'
import { notFound } from '../../lib/errors/app-error'

// Unknown API paths answer in the protocol's error shape, not with an HTML page.
export default defineApiHandler(() => {
  throw notFound('Route')
})
