/**
 * Connection caps hold: a user past WS_MAX_SOCKETS_PER_USER is refused with 429 before the upgrade,
 * and an address past WS_MAX_SOCKETS_PER_IP gets its socket closed with 4008, while the sockets
 * already open keep working and a freed slot can be used again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, type TestUser } from '../helpers/api'
import { connect, useSocketCleanup, type TestSocket } from '../helpers/ws'
import { expectHealthy, startAbuseServer, type AbuseServer } from './harness'

useSocketCleanup()

const PER_USER = 3
const PER_IP = 5

describe('connection caps (own server with low caps)', () => {
  let server: AbuseServer
  let users: TestUser[]

  beforeAll(async () => {
    server = await startAbuseServer({ WS_MAX_SOCKETS_PER_USER: String(PER_USER), WS_MAX_SOCKETS_PER_IP: String(PER_IP) })
    users = await Promise.all([1, 2, 3].map(() => registerUser({ base: server.url })))
  })
  afterAll(async () => {
    await server?.finish()
  })

  const open = (user: TestUser) => connect({ token: user.token, base: server.url, origin: null })

  it(`refuses a user's socket beyond ${PER_USER} with 429, however hard they try`, async () => {
    const [a] = users
    const held: TestSocket[] = []
    for (let i = 0; i < PER_USER; i++) held.push(await open(a!))
    const attempts = await Promise.allSettled(Array.from({ length: 20 }, () => open(a!)))
    expect(attempts.map(r => r.status === 'rejected' ? (r.reason as { status?: number }).status : 'opened')).toEqual(Array(20).fill(429))
    for (const s of held) expect((await s.request('ping', {})).type).toBe('pong')
    await held.pop()!.close()
    // The freed slot can be taken again (the hub forgets closed sockets).
    await new Promise(r => setTimeout(r, 100))
    held.push(await open(a!))
    await Promise.all(held.map(s => s.close()))
  })

  it('holds the per-user cap when many upgrades race in at once', async () => {
    const racer = await registerUser({ base: server.url })
    const attempts = await Promise.allSettled(Array.from({ length: 20 }, () => open(racer)))
    const sockets = attempts.filter((r): r is PromiseFulfilledResult<TestSocket> => r.status === 'fulfilled').map(r => r.value)
    await new Promise(r => setTimeout(r, 300))
    const stillOpen = sockets.filter(s => s.closeCode === null)
    expect(stillOpen.length).toBeLessThanOrEqual(PER_USER)
    expect(stillOpen.length).toBeGreaterThan(0)
    for (const s of sockets.filter(s => s.closeCode !== null)) expect(s.closeCode).toBe(4008)
    for (const r of attempts) if (r.status === 'rejected') expect((r.reason as { status?: number }).status).toBe(429)
    await Promise.all(sockets.map(s => s.close()))
  })

  it(`closes sockets beyond ${PER_IP} from one address with 4008, leaving the others alone`, async () => {
    const [a, b, c] = users
    // Spread over users so the per-user cap is not what stops them.
    const held = [await open(a!), await open(a!), await open(b!), await open(b!), await open(c!)]
    expect(held).toHaveLength(PER_IP)
    const extra = await Promise.all([open(c!), open(c!)])
    expect(await Promise.all(extra.map(s => s.closed))).toEqual([4008, 4008])
    for (const s of held) expect((await s.request('ping', {})).type).toBe('pong')
    await held[0]!.close()
    await new Promise(r => setTimeout(r, 100))
    const again = await open(c!)
    expect((await again.request('ping', {})).type).toBe('pong')
  })

  it('stays healthy: /healthz answers, no uncaught error, no 500', async () => {
    await expectHealthy(server)
  })
})
