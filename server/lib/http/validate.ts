import { getQuery, getRouterParams, type H3Event } from 'h3'
import type { z } from 'zod'
import { AppError, fromZodError, payloadTooLarge } from '../errors/app-error'
import { ERROR_CODES } from '../../../shared/protocol/error-codes'
import { useConfig } from '../config/env'

/** Reads the request body as a string, refusing (413) as soon as it passes the limit. */
async function readLimitedBody(event: H3Event, limit: number): Promise<string> {
  const declared = Number(event.node.req.headers['content-length'])
  if (declared > limit) throw payloadTooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of event.node.req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw payloadTooLarge(limit)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Parses JSON without letting `__proto__` keys reach any object we later spread. */
function parseJson(text: string): unknown {
  return JSON.parse(text, (key, value) => (key === '__proto__' || key === 'constructor' || key === 'prototype') ? undefined : value)
}

/** Reads, size-checks and validates a JSON body. An empty body validates as `{}`. */
export async function readValidatedJson<S extends z.ZodType>(event: H3Event, schema: S): Promise<z.infer<S>> {
  const text = await readLimitedBody(event, useConfig().limits.bodyBytes)
  let data: unknown = {}
  if (text.trim() !== '') {
    try {
      data = parseJson(text)
    }
    catch {
      throw new AppError(400, ERROR_CODES.MALFORMED_JSON, 'The request body is not valid JSON')
    }
  }
  const parsed = schema.safeParse(data)
  if (!parsed.success) throw fromZodError(parsed.error)
  return parsed.data
}

export function validatedQuery<S extends z.ZodType>(event: H3Event, schema: S): z.infer<S> {
  const parsed = schema.safeParse(getQuery(event))
  if (!parsed.success) throw fromZodError(parsed.error, 'Invalid query parameters')
  return parsed.data
}

export function validatedParams<S extends z.ZodType>(event: H3Event, schema: S): z.infer<S> {
  const parsed = schema.safeParse(getRouterParams(event, { decode: true }))
  if (!parsed.success) throw fromZodError(parsed.error, 'Invalid path parameters')
  return parsed.data
}
