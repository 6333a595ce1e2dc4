// server/realtime/peer-internals.ts reaches under crossws' public API; this runs it against the real
// Node adapter (the one Nitro bundles) with a resolver that routes like Nitro's, by the request path.
import { createServer, IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import nodeAdapter from 'crossws/adapters/node'
import type { Hooks, Peer } from 'crossws'
import { rawSocketOf, releaseUpgradeRequest } from '../../server/realtime/peer-internals'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => new Promise(resolve => s.close(resolve))))
})

describe('peer internals (crossws Node adapter)', () => {
  it('is the crossws version the code was written against', () => {
    // A new crossws may keep its peers differently: re-read its dist/adapters/node.mjs and
    // nitropack's websocket resolver, then update peer-internals.ts and this version.
    const pkg = join(dirname(createRequire(import.meta.url).resolve('crossws')), '..', 'package.json')
    expect(JSON.parse(readFileSync(pkg, 'utf8')).version).toBe('0.3.5')
  })

  it('drops the upgrade request but keeps context, address, socket and routing', async () => {
    const routed: string[] = []
    const seen: Array<{ hook: string, context: unknown, address?: string }> = []
    let opened: Peer | undefined
    let released: boolean | undefined
    const adapter = nodeAdapter({
      // Like nitropack's resolve: the hooks of a peer are looked up by the path of peer.request.url.
      resolve(info) {
        const { request, url: infoUrl } = info as { request?: { url?: string }, url?: string }
        const url = request?.url ?? infoUrl ?? '/'
        routed.push(new URL(url).pathname)
        return new URL(url).pathname === '/ws' ? hooks : {}
      },
    })
    const hooks: Partial<Hooks> = {
      upgrade(request) {
        request.context.user = 'kim'
      },
      open(peer) {
        released = releaseUpgradeRequest(peer)
        opened = peer
        seen.push({ hook: 'open', context: { ...peer.context }, address: peer.remoteAddress })
      },
      message(peer) {
        seen.push({ hook: 'message', context: { ...peer.context }, address: peer.remoteAddress })
        rawSocketOf(peer).send('echo', { binary: false })
      },
      close(peer) {
        seen.push({ hook: 'close', context: { ...peer.context } })
      },
    }
    const server = createServer()
    servers.push(server)
    server.on('upgrade', adapter.handleUpgrade)
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo

    const client = new WebSocket(`ws://127.0.0.1:${port}/ws?token=secret`)
    await new Promise((resolve, reject) => {
      client.once('open', resolve)
      client.once('error', reject)
    })
    const echo = new Promise(resolve => client.once('message', data => resolve(String(data))))
    client.send('hello')
    expect(await echo).toBe('echo')
    const closed = new Promise(resolve => client.once('close', resolve))
    client.close()
    await closed
    await new Promise(resolve => setTimeout(resolve, 50))

    expect(released).toBe(true)
    expect(seen.map(s => s.hook)).toEqual(['open', 'message', 'close'])
    for (const s of seen) expect(s.context).toEqual({ user: 'kim' })
    expect(seen[1]!.address).toBe(seen[0]!.address)
    expect(seen[0]!.address).toMatch(/127\.0\.0\.1/)
    // Every hook was routed to /ws; after `open` from the stand-in, which has no token.
    expect(routed).toEqual(['/ws', '/ws', '/ws', '/ws'])
    expect(opened!.request.url).toBe(`http://127.0.0.1:${port}/ws`)
    const internal = (opened as unknown as { _internal: Record<string, unknown> })._internal
    expect(internal.nodeReq).not.toBeInstanceOf(IncomingMessage)
    expect(JSON.stringify(Object.keys(internal.request as object))).toBe('["url"]')
    // No per-peer topic set any more, and nobody can subscribe through the shared stand-in.
    expect(opened!.topics.size).toBe(0)
    expect(() => opened!.subscribe('room:1')).toThrow(/topics are not used/)
    expect(opened!.topics.size).toBe(0)
  })

  it('leaves a peer of another shape alone', () => {
    const internal = { ws: {}, request: new Request('http://localhost/ws') }
    const peer = { _internal: internal, context: {} } as unknown as Peer
    expect(releaseUpgradeRequest(peer)).toBe(false)
    expect(internal.request).toBeInstanceOf(Request)
    expect(releaseUpgradeRequest({ context: {} } as unknown as Peer)).toBe(false)
  })
})
