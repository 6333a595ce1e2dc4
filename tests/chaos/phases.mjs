// The three fault scenarios. Each gets a fresh database on the suite's private MariaDB and its own
// server instances; `at` is when a fault strikes, as a fraction of the load time.
import WebSocket from 'ws'
import { api, apiOk } from './http.mjs'
import { serverEnv, sleep, startAppServer, startPrivateRedis, waitFor } from './infra.mjs'
import { crossInstanceAfter } from './scenario.mjs'

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

/** A user with one open socket (online), to be closed while the database is down. */
async function connectLeaver(url, username) {
  const { user, access_token: token } = await apiOk(url, 'POST', '/auth/register', { body: { email: `${username}@example.test`, username, password: 'chaos horse battery' } })
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  await waitFor('the leaver to be online', async () => (await api(url, 'GET', `/users/${user.id}`, { token })).body?.status === 'online', 10_000)
  return { user, token, ws }
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
      return {
        servers: [a, b],
        redis,
        async cleanup() {
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
        async run({ redis }) {
          await redis.stop('SIGKILL')
          await sleep(config.downMs)
          await redis.start()
          return {}
        },
        // Recovered once a live frame crosses from one instance to the other again.
        recovered: (record, healedAt) => Number.isFinite(crossInstanceAfter(record, healedAt)),
      },
      {
        at: 0.6,
        name: 'instance A SIGTERM (graceful)',
        kind: 'socket',
        async run({ servers: [a, b] }) {
          const exit = await a.stop('SIGTERM', 30_000)
          // B keeps serving throughout.
          const ready = await api(b.url, 'GET', '/auth/me')
          return { a_exit_code: exit.code, a_exit_signal: exit.signal, a_exit_ms: exit.ms, b_answering: ready.status === 401 }
        },
      },
    ],
    check(record, env, { clients, faults }) {
      const out = []
      const [a, b] = env.servers
      const drain = faults.find(f => f.name.startsWith('instance A'))
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
      if (!(crossInstanceAfter(record, redis.healedAt) < drain.at)) out.push({ kind: 'redis_relay_did_not_resume', detail: 'no live frame crossed instances between the Redis restart and the drain' })
      return out
    },
  }
}
