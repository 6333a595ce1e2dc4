// The three fault scenarios. Each gets a fresh database on the suite's private MariaDB and its own
// server instances; `at` is when a fault strikes, as a fraction of the load time.
import WebSocket from 'ws'
import { api, apiOk } from './http.mjs'
import { serverEnv, sleep, startAppServer, startPrivateRedis, waitFor } from './infra.mjs'
import { crossInstanceAfter } from './scenario.mjs'

/** The servers' PRESENCE_GRACE_MS (serverEnv). */
const PRESENCE_GRACE_MS = 1000

async function readyzStatuses(url, ms) {
  const seen = {}
  const until = Date.now() + ms
  while (Date.now() < until) {
    let status = 0
    try {
      status = (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).status
    }
    catch { /* down */ }
    seen[status] = (seen[status] ?? 0) + 1
    await sleep(100)
  }
  return seen
}

async function registerUser(url, username) {
  const { user, access_token: token } = await apiOk(url, 'POST', '/auth/register', { body: { email: `${username}@example.test`, username, password: 'chaos horse battery' } })
  return { user, token }
}

function openSocket(url, token) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`)
  ws.on('error', () => { /* a refused or dropped socket is the test's business, not a crash */ })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
  })
}

const statusOn = async (url, who, token) => (await api(url, 'GET', `/users/${who.user.id}`, { token })).body?.status ?? 'unknown'

/** A user with one open socket (online), to be closed while the database is down. */
async function connectLeaver(url, username) {
  const person = await registerUser(url, username)
  const ws = await openSocket(url, person.token)
  await waitFor('the leaver to be online', async () => (await statusOn(url, person, person.token)) === 'online', 10_000)
  return { ...person, ws }
}

/** 1. The server process is killed outright (SIGKILL) twice and started again on the same port. */
export function serverKill({ config, workDir, mariadb }) {
  const kill = at => ({
    at,
    name: 'server SIGKILL, restart on the same port',
    kind: 'socket',
    async run({ servers: [server] }) {
      await server.stop('SIGKILL')
      await sleep(config.downMs)
      const restarting = Date.now()
      await server.start()
      return { restart_to_ready_ms: Date.now() - restarting }
    },
  })
  return {
    name: 'kill',
    title: 'server killed with SIGKILL mid-load and restarted',
    async setup(tag) {
      const server = await startAppServer(`kill-${tag}`, workDir, serverEnv({ DB_PORT: String(mariadb.port), DB_NAME: `mm_chaos_${tag}` }))
      return { servers: [server], cleanup: () => server.stop('SIGTERM') }
    },
    faults: [kill(0.3), kill(0.65)],
  }
}

/**
 * 2. MariaDB goes away under load, once crashed (SIGKILL: InnoDB recovers from its redo log) and
 * once shut down cleanly (SIGTERM). The server must answer errors, stay up, reconnect by itself,
 * and acknowledge nothing that was not committed.
 */
export function databaseRestart({ config, workDir, mariadb }) {
  const restart = (at, signal) => ({
    at,
    name: `MariaDB ${signal}, restart`,
    kind: 'db',
    async run({ servers: [server], clients, leaver }) {
      await mariadb.stop(signal)
      // Someone closes the app for good while the database is away: they must still go offline.
      if (signal === 'SIGKILL') leaver.ws.close(1000)
      // A third of the clients lose their socket while the database is away: their reconnects
      // (upgrade, session check, room list) meet the outage too.
      for (const c of clients.filter(c => c.index % 3 === 0)) c.ws?.terminate()
      const down = await readyzStatuses(server.url, config.downMs)
      const starting = Date.now()
      await mariadb.start()
      const dbUp = Date.now()
      await waitFor('the server to be ready again', async () => (await fetch(`${server.url}/readyz`)).ok, 30_000, 50)
      return { readyz_while_down: down, db_start_ms: dbUp - starting, server_ready_after_db_ms: Date.now() - dbUp }
    },
  })
  return {
    name: 'db',
    title: 'MariaDB restarted mid-load (SIGKILL once, SIGTERM once)',
    async setup(tag) {
      const server = await startAppServer(`db-${tag}`, workDir, serverEnv({ DB_PORT: String(mariadb.port), DB_NAME: `mm_chaos_${tag}` }))
      const leaver = await connectLeaver(server.url, `${tag}leaver`)
      return { servers: [server], leaver, cleanup: () => server.stop('SIGTERM') }
    },
    faults: [restart(0.25, 'SIGKILL'), restart(0.6, 'SIGTERM')],
    async check(record, env, { faults }) {
      const out = []
      const seen = await api(env.servers[0].url, 'GET', `/users/${env.leaver.user.id}`, { token: env.leaver.token })
      if (seen.body?.status !== 'offline') out.push({ kind: 'presence_stuck_online', detail: { user: env.leaver.user.id, status: seen.body?.status ?? seen.status } })
      for (const f of faults) {
        if (!f.detail.readyz_while_down?.['503']) out.push({ kind: 'readyz_not_503_while_db_down', detail: f.detail.readyz_while_down })
      }
      if (!Object.keys(record.stats.errorFrames).length && !Object.keys(record.stats.restStatuses).some(s => s >= 500)) {
        out.push({ kind: 'outage_not_observed', detail: 'no error frame and no 5xx while MariaDB was down: the fault did not bite' })
      }
      return out
    },
  }
}

/**
 * 3. Two instances relaying through a private Redis: Redis is killed and restarted (nothing
 * persisted), then instance A gets SIGTERM and its clients move to B and catch up.
 */
export function cluster({ config, workDir, mariadb }) {
  return {
    name: 'cluster',
    title: 'two instances + Redis: Redis restarted, then one instance SIGTERM',
    async setup(tag) {
      const redis = await startPrivateRedis(workDir)
      const common = { DB_PORT: String(mariadb.port), DB_NAME: `mm_chaos_${tag}`, REDIS_URL: redis.url, REDIS_PREFIX: `chaos:${tag}:` }
      const a = await startAppServer(`cluster-a-${tag}`, workDir, serverEnv({ ...common, INSTANCE_ID: `a-${tag}` }))
      const b = await startAppServer(`cluster-b-${tag}`, workDir, serverEnv({ ...common, INSTANCE_ID: `b-${tag}` }))
      // Three people whose presence must come out right across the Redis restart.
      const presence = {
        twoSockets: await registerUser(a.url, `${tag}two`),
        arrives: await registerUser(a.url, `${tag}arr`),
        leaves: await registerUser(a.url, `${tag}lea`),
        sockets: {},
      }
      presence.sockets.twoOnA = await openSocket(a.url, presence.twoSockets.token)
      presence.sockets.twoOnB = await openSocket(b.url, presence.twoSockets.token)
      presence.sockets.leaves = await openSocket(a.url, presence.leaves.token)
      return {
        servers: [a, b],
        redis,
        presence,
        async cleanup() {
          for (const ws of Object.values(presence.sockets)) ws.terminate()
          await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')])
          await redis.stop('SIGKILL')
        },
      }
    },
    faults: [
      {
        at: 0.3,
        name: 'Redis SIGKILL, restart (empty)',
        kind: 'redis',
        async run({ redis, servers: [a, b], record, presence }) {
          await redis.stop('SIGKILL')
          // Presence while Redis is away: one user leaves, one arrives (both on A).
          presence.sockets.leaves.close(1000)
          presence.sockets.arrives = await openSocket(a.url, presence.arrives.token)
          await sleep(config.downMs)
          await redis.start()
          const healedAt = Date.now()
          // After the relay is back, a user with sockets on both instances closes the one on A.
          await waitFor('the relay to carry frames again', () => Number.isFinite(crossInstanceAfter(record, healedAt)), 20_000, 50)
          await sleep(500)
          presence.sockets.twoOnA.close(1000)
          await sleep(PRESENCE_GRACE_MS + 2500)
          const seen = {}
          for (const [name, server] of [['a', a], ['b', b]]) {
            for (const who of ['twoSockets', 'arrives', 'leaves']) seen[`${who}_on_${name}`] = await statusOn(server.url, presence[who], presence.leaves.token)
          }
          return { healedAt, presence: seen }
        },
        // Recovered once a live frame crosses from one instance to the other again.
        recovered: (record, healedAt) => Number.isFinite(crossInstanceAfter(record, healedAt)),
      },
      {
        at: 0.6,
        name: 'instance A SIGTERM (graceful)',
        kind: 'socket',
        async run(env) {
          const { servers: [a, b], clients } = env
          // Sends on their way through A when it is told to stop: does A finish storing them?
          env.inFlightAtDrain = clients.filter(c => c.open && c.url === a.url).flatMap(c => [...c.unacked].map(cmid => c.sends.get(cmid)).filter(s => s.awaiting))
          const exit = await a.stop('SIGTERM', 30_000)
          env.aExitedAt = Date.now()
          // B keeps serving throughout.
          const ready = await api(b.url, 'GET', '/auth/me')
          return { a_exit_code: exit.code, a_exit_signal: exit.signal, a_exit_ms: exit.ms, b_answering: ready.status === 401, in_flight_at_sigterm: env.inFlightAtDrain.length }
        },
      },
    ],
    check(record, env, { clients, faults }) {
      const out = []
      const [a, b] = env.servers
      const drain = faults.find(f => f.name.startsWith('instance A'))
      // Stored before A exited (A finished the write; the client heard the ack from B on retry).
      drain.detail.stored_by_a_before_exit = env.inFlightAtDrain.filter(s => s.ack && Date.parse(s.ack.created_at) <= env.aExitedAt).length
      if (drain.detail.a_exit_code !== 0) out.push({ kind: 'graceful_stop_exit_code', detail: drain.detail })
      if (!drain.detail.b_answering) out.push({ kind: 'other_instance_not_answering', detail: drain.detail })
      for (const c of clients) {
        for (const close of c.closes) {
          if (close.url === a.url && close.at >= drain.at && close.code !== 1001) out.push({ kind: 'drain_close_code_not_1001', detail: { client: c.index, code: close.code } })
        }
        if (c.connects.at(-1)?.url !== b.url) out.push({ kind: 'client_not_on_surviving_instance', detail: { client: c.index } })
      }
      if (!clients.some(c => c.closes.some(x => x.url === a.url && x.code === 1001))) out.push({ kind: 'drain_not_observed', detail: 'no client of A saw 1001' })
      const redis = faults.find(f => f.kind === 'redis')
      const expected = { twoSockets_on_a: 'online', twoSockets_on_b: 'online', arrives_on_a: 'online', arrives_on_b: 'online', leaves_on_a: 'offline', leaves_on_b: 'offline' }
      const wrong = Object.entries(expected).filter(([k, v]) => redis.detail.presence?.[k] !== v)
      if (wrong.length) out.push({ kind: 'presence_wrong_after_redis_restart', detail: { expected, seen: redis.detail.presence } })
      if (!(crossInstanceAfter(record, redis.healedAt) < drain.at)) out.push({ kind: 'redis_relay_did_not_resume', detail: 'no live frame crossed instances between the Redis restart and the drain' })
      return out
    },
  }
}
