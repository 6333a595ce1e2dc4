import { afterEach, describe, expect, it, vi } from 'vitest'
import { recordProcessError } from '../../server/lib/process-errors'

describe('recordProcessError', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('logs each uncaught error on stderr with a running count and without the values it was called with', () => {
    process.env.JWT_SECRET ??= 'unit-test-secret-that-is-long-enough-0123456789'
    const lines: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk))
      return true
    })
    const first = recordProcessError('uncaught exception', new TypeError('boom'))
    const second = recordProcessError('unhandled rejection', Object.assign(new Error('Failed query: select secret\nparams: hunter2'), { code: 'ER_X' }))
    expect(second).toBe(first + 1)
    const entries = lines.map(l => JSON.parse(l))
    expect(entries[0]).toMatchObject({ level: 'error', msg: 'uncaught exception', uncaught_count: first, err_name: 'TypeError', err_message: 'boom' })
    expect(entries[1]).toMatchObject({ msg: 'unhandled rejection', uncaught_count: second, err_code: 'ER_X', err_message: 'Failed query' })
    expect(lines.join('')).not.toContain('hunter2')
  })
})
