/**
 * A few hundred hostile bodies for every /api/v1 route that reads one, plus hostile path ids, query
 * strings, methods and Authorization headers: every answer is a JSON error or success, never a 500
 * and never an HTML page, and the server stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, type TestUser } from '../helpers/api'
import { ERROR_CODES } from '../../shared/protocol/error-codes'
import { ODD_VALUES, SQL_INJECTION, XSS, deepNesting, mutate, randomBytes, randomText } from './corpus'
import { expectHealthy, report, rng, SEED, startAbuseServer, type AbuseServer, type Rng } from './harness'

const BODIES_PER_ROUTE = Number(process.env.ABUSE_REST_BODIES) || 220
const CONCURRENCY = 8

interface Probe {
  method: string
  path: string
  body?: string | Buffer
  contentType?: string | null
  authorization?: string | null
  accept?: string
  /** Which session's token to use when `authorization` is not given. */
  as?: 'main' | 'logout' | 'password' | 'none'
}

interface Outcome {
  probe: Probe
  status: number
  contentType: string
  text: string
}

/** A segment that names a real id (' 1' is 1), or climbs to the parent path ('..' resolves on the client). */
function isRealId(segment: string): boolean {
  if (/%2e%2e|\.\./i.test(segment)) return true
  try {
    const n = Number(decodeURIComponent(segment))
    return Number.isInteger(n) && n > 0
  }
  catch {
    return false
  }
}

const ERROR_CODE_VALUES: string[] = Object.values(ERROR_CODES)

/** Collects everything that broke the rules, so one run reports all offenders at once. */
function judge(o: Outcome): string | null {
  const where = `${o.probe.method} ${o.probe.path.slice(0, 120)} [${o.probe.contentType ?? 'no content-type'}] body=${String(o.probe.body ?? '').slice(0, 120)}`
  if (o.status >= 500 || o.status < 200) return `${o.status} for ${where}: ${o.text.slice(0, 200)}`
  if (o.status === 204) return o.text === '' ? null : `204 with a body for ${where}`
  if (!o.contentType.startsWith('application/json')) return `content-type "${o.contentType}" (${o.status}) for ${where}`
  let body: any
  try {
    body = JSON.parse(o.text)
  }
  catch {
    return `not JSON (${o.status}) for ${where}: ${o.text.slice(0, 200)}`
  }
  if (o.status >= 400 && (typeof body?.error !== 'string' || !ERROR_CODE_VALUES.includes(body?.code))) return `malformed error body (${o.status}) for ${where}: ${o.text.slice(0, 200)}`
  if (/polluted/.test(o.text) && !/polluted/.test(String(o.probe.body))) return `pollution leaked into ${where}`
  return null
}

describe('REST fuzz', () => {
  let server: AbuseServer
  let main: TestUser
  let other: TestUser
  let roomId: number
  let messageId: number
  const tokens: Record<string, string> = {}
  const passwords: Record<string, { email: string, password: string }> = {}

  async function login(which: 'logout' | 'password') {
    const { email, password } = passwords[which]!
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
    const body = await res.json() as { access_token: string }
    tokens[which] = body.access_token
  }

  async function send(probe: Probe): Promise<Outcome> {
    const headers: Record<string, string> = {}
    const as = probe.as ?? 'main'
    if (probe.authorization !== undefined) {
      if (probe.authorization !== null) headers.authorization = probe.authorization
    }
    else if (as !== 'none') headers.authorization = `Bearer ${tokens[as]}`
    if (probe.accept) headers.accept = probe.accept
    if (probe.body !== undefined && probe.contentType !== null) headers['content-type'] = probe.contentType ?? 'application/json'
    try {
      const res = await fetch(server.url + '/api/v1' + probe.path, { method: probe.method, headers, body: typeof probe.body === 'string' || probe.body === undefined ? probe.body : new Uint8Array(probe.body), redirect: 'manual' })
      const text = await res.text()
      // A fuzzed logout may really log out (and `/auth/sessions/1` may be this very session):
      // the next probe gets a fresh one.
      if (as === 'logout' && res.ok) await login('logout')
      return { probe, status: res.status, contentType: res.headers.get('content-type') ?? '', text }
    }
    catch (err) {
      return { probe, status: 0, contentType: '', text: `network error: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}` }
    }
  }

  async function run(probes: Probe[]): Promise<{ outcomes: Outcome[], problems: string[] }> {
    const outcomes: Outcome[] = []
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < probes.length) outcomes.push(await send(probes[next++]!))
    }))
    return { outcomes, problems: outcomes.map(judge).filter((p): p is string => !!p) }
  }

  beforeAll(async () => {
    server = await startAbuseServer()
    const base = server.url
    const [a, b, c, d] = await Promise.all([registerUser({ base }), registerUser({ base }), registerUser({ base }), registerUser({ base })])
    main = a!
    other = b!
    tokens.main = main.token
    tokens.logout = c!.token
    tokens.password = d!.token
    passwords.logout = { email: c!.user.email!, password: c!.password }
    passwords.password = { email: d!.user.email!, password: d!.password }
    const room = await fetch(`${base}/api/v1/rooms`, { method: 'POST', headers: { 'authorization': `Bearer ${main.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz', member_ids: [other.user.id] }) })
    roomId = (await room.json() as { id: number }).id
    const msg = await fetch(`${base}/api/v1/rooms/${roomId}/messages`, { method: 'POST', headers: { 'authorization': `Bearer ${main.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'first' }) })
    messageId = (await msg.json() as { id: number }).id
  })
  afterAll(async () => {
    await server?.finish()
  })

  /** Every route that reads a body, with a valid body as raw JSON fields. */
  function bodyRoutes(): Array<{ method: string, path: string, as?: Probe['as'], fields: Record<string, string> }> {
    const uid = other.user.id
    return [
      { method: 'POST', path: '/auth/register', as: 'none', fields: { email: '"fz@example.test"', username: '"fuzz_user"', password: '"correct horse battery"' } },
      { method: 'POST', path: '/auth/login', as: 'none', fields: { email: JSON.stringify(main.user.email), password: '"wrong password"' } },
      { method: 'POST', path: '/auth/refresh', as: 'none', fields: { refresh_token: '"not-a-real-refresh-token"' } },
      { method: 'POST', path: '/auth/logout', as: 'logout', fields: { refresh_token: '"not-a-real-refresh-token"' } },
      { method: 'PUT', path: '/auth/password', as: 'password', fields: { current_password: '"wrong password"', new_password: '"another password"' } },
      { method: 'POST', path: '/auth/ws-ticket', fields: {} },
      { method: 'POST', path: '/rooms', fields: { name: '"Fuzz room"', description: '"about"', room_type: '"group"', member_ids: `[${uid}]`, max_members: '10' } },
      { method: 'PUT', path: `/rooms/${roomId}`, fields: { name: '"Renamed"', description: '"desc"' } },
      { method: 'POST', path: `/rooms/${roomId}/members`, fields: { user_id: String(uid) } },
      { method: 'PUT', path: `/rooms/${roomId}/members/${uid}`, fields: { role: '"admin"' } },
      { method: 'POST', path: `/rooms/${roomId}/messages`, fields: { content: '"hello"', message_type: '"text"', client_msg_id: '"c1"' } },
      { method: 'PUT', path: `/rooms/${roomId}/messages/${messageId}`, fields: { content: '"edited"' } },
      { method: 'POST', path: `/rooms/${roomId}/read`, fields: { message_id: String(messageId) } },
    ]
  }

  const object = (fields: Record<string, string>) => `{${Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`

  function body(r: Rng, fields: Record<string, string>): { body: string | Buffer, contentType?: string | null } {
    const roll = r.int(100)
    const keys = Object.keys(fields)
    if (roll < 35 && keys.length) return { body: object({ ...fields, [r.pick(keys)]: r.pick([...ODD_VALUES, JSON.stringify(r.pick(SQL_INJECTION)), JSON.stringify(r.pick(XSS))]) }) }
    if (roll < 40 && keys.length) {
      const { [r.pick(keys)]: _dropped, ...rest } = fields
      return { body: object(rest) }
    }
    if (roll < 50) {
      const extra = r.pick(['"__proto__":{"polluted":true,"is_admin":true}', '"constructor":{"prototype":{"polluted":true}}', '"prototype":{"polluted":true}', '"owner_id":1', '"role":"owner"', '"seq":1', '"id":1', '"is_admin":true', '"__proto__":null'])
      const inner = Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${v}`)
      inner.splice(r.int(inner.length + 1), 0, extra)
      return { body: `{${inner.join(',')}}` }
    }
    if (roll < 60) return { body: r.pick([...ODD_VALUES, `[${object(fields)}]`, `[${object(fields)},${object(fields)}]`, `{"data":${object(fields)}}`, `${object(fields)}${object(fields)}`, `${object(fields)} trailing`]) }
    if (roll < 72) return { body: mutate(r, object(fields)) }
    if (roll < 78) return { body: randomText(r, r.int(500)) }
    if (roll < 82) return { body: randomBytes(r, r.int(2000)), contentType: r.pick(['application/octet-stream', 'application/json']) }
    if (roll < 86) {
      const depth = r.pick([1000, 10_000, 30_000, 100_000])
      return { body: r.pick([deepNesting('[', ']', depth), deepNesting('{"a":', '}', Math.min(depth, 12_000)), `{"content":${deepNesting('[', ']', Math.min(depth, 30_000))}}`]) }
    }
    if (roll < 89) return { body: object({ ...fields, [keys[0] ?? 'x']: JSON.stringify('x'.repeat(r.pick([65_000, 70_000, 200_000]))) }) }
    // The right fields under the wrong content type, or in another encoding entirely.
    const variants: Array<{ body: string | Buffer, contentType?: string | null }> = [
      { body: object(fields), contentType: 'text/plain' },
      { body: object(fields), contentType: null },
      { body: Object.entries(fields).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'), contentType: 'application/x-www-form-urlencoded' },
      { body: `--x\r\nContent-Disposition: form-data; name="content"\r\n\r\nhi\r\n--x--\r\n`, contentType: 'multipart/form-data; boundary=x' },
      { body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>', contentType: 'application/xml' },
      { body: Buffer.from(object(fields), 'utf16le'), contentType: 'application/json; charset=utf-16' },
      { body: `\uFEFF${object(fields)}`, contentType: 'application/json' },
      { body: object(fields), contentType: 'application/json; charset=iso-8859-1' },
      { body: object(fields), contentType: 'application/json, text/html' },
    ]
    return r.pick(variants)
  }

  it(`answers ${BODIES_PER_ROUTE} hostile bodies per route with JSON, never a 500`, async () => {
    const r = rng(SEED)
    const probes: Probe[] = []
    for (const route of bodyRoutes()) {
      for (let i = 0; i < BODIES_PER_ROUTE; i++) probes.push({ method: route.method, path: route.path, as: route.as, ...body(r, route.fields) })
    }
    const started = performance.now()
    const { outcomes, problems } = await run(probes)
    const statuses: Record<number, number> = {}
    for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1
    report('rest-fuzz-bodies', { seed: SEED, routes: bodyRoutes().length, requests: outcomes.length, seconds: Math.round((performance.now() - started) / 100) / 10, statuses })
    expect(problems.slice(0, 20)).toEqual([])
  }, 120_000)

  it('answers hostile path ids, query strings, methods and credentials with JSON, never a 500', async () => {
    const ids = ['0', '-1', '1.5', '1e309', '9007199254740993', '18446744073709551616', 'abc', '%00', '%E0%A4%A', '%', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', 'a'.repeat(4000),
      '1\'OR\'1\'=\'1', '1;DROP%20TABLE%20users', '%F0%9F%98%80', '0x10', '%201', '1%20', '[]', '{}', 'null', 'undefined', '__proto__', 'constructor', 'NaN', 'Infinity', String(roomId), '%3Cscript%3E']
    const probes: Probe[] = []
    const templates = [
      ['GET', '/users/:x'], ['GET', '/rooms/:x'], ['PUT', '/rooms/:x'], ['DELETE', '/rooms/:x'], ['GET', '/rooms/:x/members'],
      ['POST', '/rooms/:x/members'], ['DELETE', '/rooms/:x/members/:x'], ['PUT', '/rooms/:x/members/:x'], ['POST', '/rooms/:x/leave'],
      ['GET', '/rooms/:x/messages'], ['POST', '/rooms/:x/messages'], ['PUT', `/rooms/${roomId}/messages/:x`], ['DELETE', `/rooms/${roomId}/messages/:x`],
      ['GET', '/rooms/:x/events'], ['POST', '/rooms/:x/read'], ['DELETE', '/auth/sessions/:x'],
    ] as const
    for (const [method, template] of templates) {
      for (const id of ids) {
        // Never aim a destructive call at a real id: that is not abuse, just deleting the room.
        if ((method === 'DELETE' || template.endsWith('leave')) && isRealId(id)) continue
        probes.push({ method, path: template.replaceAll(':x', id), body: method === 'GET' || method === 'DELETE' ? undefined : '{}', as: template.startsWith('/auth/sessions') ? 'logout' : 'main' })
      }
    }
    const queries = ['q=', 'q=%25', 'q=_', 'q=%25_%25', 'q=a&q=b', 'q[]=a', 'q[a]=1', `q=${'a'.repeat(5000)}`, 'q=%00', 'q=%E0%A4%A', 'q=a&limit=0', 'q=a&limit=-1', 'q=a&limit=1e309', 'q=a&limit=abc', 'q=a&limit=21', 'q=a&limit=1.5', 'q=\'%20OR%201=1--', 'q=__proto__', 'q=constructor&limit=__proto__', '__proto__[polluted]=1&q=a']
    for (const q of queries) probes.push({ method: 'GET', path: `/users?${q}` })
    const listQueries = ['limit=0', 'limit=101', 'limit=1e309', 'limit=-0', 'before=0', 'before=abc', 'before=1&after_seq=1', 'after_seq=-1', 'after_seq=1.5', 'offset=1e309', 'offset=-1', 'limit=1&limit=2', 'before[]=1', 'after_seq=9007199254740993', '__proto__[x]=1', 'before=%00']
    for (const q of listQueries) probes.push({ method: 'GET', path: `/rooms/${roomId}/messages?${q}` }, { method: 'GET', path: `/rooms/${roomId}/events?${q}` })
    // A browser asks for HTML; an API answer is JSON all the same, whatever went wrong.
    for (const accept of ['application/json', 'text/html,application/xhtml+xml,*/*;q=0.8']) {
      for (const method of ['GET', 'PATCH', 'OPTIONS', 'PUT', 'DELETE', 'POST']) {
        for (const path of ['/rooms', '/auth/me', '/auth/login', `/rooms/${roomId}/messages/${messageId}`, '/nope', '', '/', '/rooms/%2e%2e']) probes.push({ method, path, accept })
      }
    }
    const credentials = ['', 'Bearer', 'Bearer ', 'Bearer a.b.c', 'Bearer ' + 'a'.repeat(8000), 'Basic dXNlcjpwYXNz', 'bearer ' + main.token, `Bearer ${main.token}x`, `Bearer ${main.token} ${main.token}`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', 'Bearer null', 'Bearer undefined', 'Bearer \' OR 1=1 --']
    for (const authorization of credentials) probes.push({ method: 'GET', path: '/auth/me', authorization }, { method: 'GET', path: '/rooms', authorization })
    const { outcomes, problems } = await run(probes)
    const statuses: Record<number, number> = {}
    for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1
    report('rest-fuzz-paths', { requests: outcomes.length, statuses })
    expect(problems.slice(0, 20)).toEqual([])
  }, 60_000)

  it('stays healthy: /healthz answers, no uncaught error, no 500', async () => {
    const res = await fetch(`${server.url}/api/v1/rooms/${roomId}`, { headers: { authorization: `Bearer ${main.token}` } })
    expect(res.status).toBe(200)
    await expectHealthy(server)
  })
})
