import { describe, expect, it } from 'vitest'
import { errorFields } from '../../server/lib/logger'

describe('errorFields', () => {
  it('keeps neither the query nor its parameters, from the message or from the stack', () => {
    // The shape of drizzle's error when a query fails: the SQL and the values in message and stack.
    const message = 'Failed query: insert into `users` (`email`, `password_hash`)\nvalues (?, ?)\nparams: secret@example.test,$argon2id$v=19$hash'
    const err = Object.assign(new Error(message), { code: 'ECONNREFUSED' })
    err.stack = `Error: ${message}\n    at MySql2PreparedQuery.execute (file:///app/server.mjs:1:1)\n    at async register (file:///app/auth.mjs:2:2)`
    const fields = errorFields(err)
    const text = JSON.stringify(fields)
    expect(text).not.toContain('secret@example.test')
    expect(text).not.toContain('argon2id')
    expect(text).not.toContain('insert into')
    expect(fields).toMatchObject({ err_code: 'ECONNREFUSED', err_message: 'Failed query' })
    expect(fields.stack).toContain('at MySql2PreparedQuery.execute')
  })
})
