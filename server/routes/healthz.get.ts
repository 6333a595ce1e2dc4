import { defineEventHandler } from 'h3'

/** Liveness: the process is up and serving. */
export default defineEventHandler(() => ({ status: 'ok' }))
