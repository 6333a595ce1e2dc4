// The servers the bench drives: the bare ceiling (bench/ceiling-server.mjs) and the BUILT
// Mmessenger server (.output/server/index.mjs). Each is started as a fresh child process per
// scenario so its CPU and peak memory belong to that scenario alone.
import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { freePort } from '../../scripts/free-port.mjs'
import { dirname, join, resolve } from 'node:path'
import { SignJWT } from 'jose'
import mysql from 'mysql2/promise'
import { connectProfiler, inspectorUrl } from './inspector.mjs'

export const ROOT = join(import.meta.dirname, '..', '..')
export const CEILING_ENTRY = join(ROOT, 'bench', 'ceiling-server.mjs')
export const SERVER_ENTRY = join(ROOT, '.output', 'server', 'index.mjs')
/**
 * Sockets opened together (in a room of their own) and closed again before the memory baseline:
 * they make the server load its lazy code and grow its database pool, one-time costs that
 * would otherwise be charged to the measured connections.
 */
export const WARM_SOCKETS = 64

/**
 * @typedef {object} ClientSpec  how one load connection reaches its room
 * @property {string} url
 * @property {Record<string, string>} headers
 * @property {number} roomId
 *
 * @typedef {object} Target
 * @property {string} name
 * @property {number} pid
 * @property {number} port
 * @property {(connections: number, roomSize: number) => Promise<{clients: ClientSpec[], warm: ClientSpec[]}>} prepare
 * @property {() => Promise<void>} stop
 * @property {{start: () => Promise<unknown>, stop: () => Promise<object>, close: () => void} | null} profiler
 *   set when started with `inspect`: profiles the load window only
 */


/**
 * Node flags for profiling: `cpuProfDir` profiles the whole process life (`--cpu-prof`),
 * `inspect` opens the inspector so the bench can profile just the load window.
 */
function profileArgs(cpuProfDir, name, inspect) {
  if (inspect) return ['--inspect=127.0.0.1:0']
  if (!cpuProfDir) return []
  mkdirSync(cpuProfDir, { recursive: true })
  return ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
}

function stopper(proc, label, profiler) {
  const exited = new Promise(resolve => proc.once('exit', resolve))
  return async () => {
    // An open inspector session would hold the server's graceful shutdown open.
    ;(await Promise.resolve(profiler).catch(() => null))?.close()
    if (proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => {
      console.error(`${label} did not stop within 15 s; killing it`)
      proc.kill('SIGKILL')
    }, 15_000)
    await exited
    clearTimeout(timer)
  }
}

/** Passes the child's stderr through, minus the inspector's chatter. */
function forwardStderr(stream) {
  stream.on('data', (d) => {
    const text = String(d).split('\n').filter(l => l && !/^(Debugger (listening|attached|ending)|For help, see|Waiting for the debugger)/.test(l)).join('\n')
    if (text) process.stderr.write(text + '\n')
  })
}

async function attachProfiler(proc, inspect) {
  if (!inspect) return null
  return connectProfiler(await inspectorUrl(proc.stderr))
}

/** @returns {Promise<Target>} */
export async function startCeiling({ cpuProfDir, inspect = false } = {}) {
  const proc = spawn(process.execPath, [...profileArgs(cpuProfDir, 'ceiling', inspect), CEILING_ENTRY, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const profiler = attachProfiler(proc, inspect)
  forwardStderr(proc.stderr)
  const port = await new Promise((resolve, reject) => {
    let out = ''
    const onData = (d) => {
      out += d
      const m = /LISTENING (\d+)/.exec(out)
      if (m) {
        proc.stdout.off('data', onData)
        resolve(Number(m[1]))
      }
    }
    proc.stdout.on('data', onData)
    proc.once('exit', code => reject(new Error(`ceiling server exited with ${code}`)))
  })
  proc.stdout.resume()
  return {
    name: 'ceiling',
    pid: proc.pid,
    port,
    profiler: await profiler,
    async prepare(connections, roomSize) {
      const url = `ws://127.0.0.1:${port}/ws`
      const headers = { Origin: `http://127.0.0.1:${port}` }
      const clients = []
      for (let c = 0; c < connections; c++) clients.push({ url, headers, roomId: Math.floor(c / roomSize) + 1 })
      // The warm-up clients get a room of their own, like on Mmessenger.
      const warm = Array.from({ length: WARM_SOCKETS }, () => ({ url, headers, roomId: Math.floor(connections / roomSize) + 2 }))
      return { clients, warm }
    },
    stop: stopper(proc, 'ceiling server', profiler),
  }
}

const dbOptions = () => ({
  host: process.env.DB_HOST || '127.0.0.1',
  port: Number(process.env.DB_PORT || 3306),
  user: process.env.DB_USER || 'root',
  password: process.env.DB_PASS ?? process.env.DB_PASSWORD ?? '',
})

/** The MySQL settings that decide whether a commit survives a crash (reported with every result). */
export async function durabilitySettings() {
  const conn = await mysql.createConnection(dbOptions())
  try {
    const [rows] = await conn.query('SELECT @@version AS version, @@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit, @@sync_binlog AS sync_binlog, @@log_bin AS log_bin')
    return { ...rows[0], log_bin: Number(rows[0].log_bin) }
  }
  finally {
    await conn.end()
  }
}

/**
 * A throwaway database for one bench run: created here, migrated by the server on its first
 * start, seeded directly per scenario, dropped at the end.
 */
export async function createBenchDatabase() {
  const name = `mm_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const admin = await mysql.createConnection(dbOptions())
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  const pool = mysql.createPool({ ...dbOptions(), database: name, connectionLimit: 2, timezone: 'Z' })
  let dropped = false
  return {
    name,
    pool,
    async drop() {
      if (dropped) return
      dropped = true
      await pool.end().catch(() => {})
      const conn = await mysql.createConnection(dbOptions())
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await conn.end()
    },
  }
}

async function bulkInsert(pool, sql, rows, chunk = 1000) {
  for (let i = 0; i < rows.length; i += chunk) await pool.query(sql, [rows.slice(i, i + chunk)])
}

/**
 * Users, rooms, memberships and sessions for one scenario, inserted directly: registering
 * thousands of users through the API would spend minutes in argon2. Every user gets one
 * connection; room r holds users r*S .. r*S+S-1, the first of them its owner.
 */
async function seed(pool, tag, connections, roomSize) {
  const roomCount = Math.ceil(connections / roomSize) + 1 // + the warm-up room
  const userCount = connections + WARM_SOCKETS
  const users = []
  for (let i = 0; i < userCount; i++) users.push([`${tag}_${i}@bench.invalid`, `${tag}_${i}`, 'bench-user-without-password'])
  await bulkInsert(pool, 'INSERT INTO users (email, username, password_hash) VALUES ?', users)
  const [userRows] = await pool.query('SELECT id, username FROM users WHERE username LIKE ?', [`${tag}\\_%`])
  const userIds = new Array(userCount)
  for (const row of userRows) userIds[Number(row.username.slice(tag.length + 1))] = Number(row.id)

  const roomOfUser = i => (i >= connections ? roomCount - 1 : Math.floor(i / roomSize))
  const rooms = []
  for (let r = 0; r < roomCount; r++) {
    const first = r === roomCount - 1 ? connections : r * roomSize
    const members = r === roomCount - 1 ? WARM_SOCKETS : Math.min(roomSize, connections - first)
    rooms.push([`${tag} room ${r}`, 'group', userIds[first], members, Math.max(1000, roomSize), new Date()])
  }
  await bulkInsert(pool, 'INSERT INTO rooms (name, room_type, owner_id, member_count, max_members, last_activity_at) VALUES ?', rooms)
  const [roomRows] = await pool.query('SELECT id, name FROM rooms WHERE name LIKE ?', [`${tag} room %`])
  const roomIds = new Array(roomCount)
  for (const row of roomRows) roomIds[Number(row.name.slice(`${tag} room `.length))] = Number(row.id)

  const members = []
  for (let i = 0; i < userCount; i++) {
    const r = roomOfUser(i)
    const first = r === roomCount - 1 ? connections : r * roomSize
    members.push([roomIds[r], userIds[i], i === first ? 'owner' : 'member'])
  }
  await bulkInsert(pool, 'INSERT INTO room_members (room_id, user_id, role) VALUES ?', members)

  const expires = new Date(Date.now() + 24 * 3600_000)
  await bulkInsert(pool, 'INSERT INTO sessions (user_id, user_agent, expires_at) VALUES ?', userIds.map(id => [id, 'mmessenger-bench', expires]))
  const [sessionRows] = await pool.query('SELECT s.id, s.user_id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username LIKE ?', [`${tag}\\_%`])
  const sessionOf = new Map(sessionRows.map(row => [Number(row.user_id), Number(row.id)]))
  return { userIds, roomIds, roomOfUser, sessionOf }
}

/** An access token exactly as server/lib/auth/jwt.ts signToken makes one. */
function mintAccessToken(secret, userId, sessionId, ttlSeconds) {
  return new SignJWT({ sid: sessionId, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(userId))
    .setIssuer('mmessenger')
    .setAudience('mmessenger')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .setJti(randomUUID())
    .sign(secret)
}

export const RATE_LIMITS_OFF = {
  RATE_LIMIT_AUTH_PER_IP: '1000000',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000',
  RATE_LIMIT_MESSAGES_PER_SECOND: '100000',
  RATE_LIMIT_MESSAGES_PER_SECOND_PER_USER: '100000',
  RATE_LIMIT_FRAMES_PER_SECOND: '100000',
  WS_MAX_SOCKETS_PER_USER: '1000',
  WS_MAX_SOCKETS_PER_IP: '1000000',
}

/**
 * @param {{db: Awaited<ReturnType<typeof createBenchDatabase>>, cpuProfDir?: string, origin?: boolean, env?: Record<string,string>, entry?: string, nodeFlags?: string[]}} options
 *   `entry` benchmarks another build (e.g. the one before a change) instead of this checkout's;
 *   `nodeFlags` go to the server's `node` (V8 flags such as `--max-semi-space-size=8`).
 * @returns {Promise<Target>}
 */
export async function startMmessenger({ db, cpuProfDir, inspect = false, origin = true, env = {}, entry = SERVER_ENTRY, nodeFlags = [] }) {
  entry = resolve(entry)
  if (!existsSync(entry)) throw new Error(`No build found at ${entry}: run \`npm run build\` first (or pass --build)`)
  const port = await freePort()
  const jwtSecret = randomBytes(48).toString('base64url')
  let output = ''
  const proc = spawn(process.execPath, [...nodeFlags, ...profileArgs(cpuProfDir, 'mmessenger', inspect), entry], {
    // The checkout the build belongs to (<root>/.output/server/index.mjs).
    cwd: dirname(dirname(dirname(entry))),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NITRO_HOST: '127.0.0.1',
      NITRO_PORT: String(port),
      PORT: String(port),
      DB_NAME: db.name,
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: `http://127.0.0.1:${port}`,
      ...RATE_LIMITS_OFF,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = (d) => {
    output += d
    if (output.length > 20_000) output = output.slice(-10_000)
  }
  proc.stdout.on('data', keep)
  proc.stderr.on('data', keep)
  const profiler = attachProfiler(proc, inspect)
  const stop = stopper(proc, 'Mmessenger server', profiler)
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Mmessenger server exited with ${proc.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${base}/readyz`)).ok) break
    }
    catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`Mmessenger server did not become ready within 60 s:\n${output}`)
    }
    await new Promise(r => setTimeout(r, 100))
  }
  const secret = new TextEncoder().encode(jwtSecret)
  return {
    name: 'mmessenger',
    pid: proc.pid,
    port,
    profiler: await profiler,
    output: () => output,
    async prepare(connections, roomSize) {
      const tag = `b${randomBytes(3).toString('hex')}`
      const { userIds, roomIds, roomOfUser, sessionOf } = await seed(db.pool, tag, connections, roomSize)
      const headers = origin ? { Origin: base } : {}
      const spec = async (i) => {
        const token = await mintAccessToken(secret, userIds[i], sessionOf.get(userIds[i]), 4 * 3600)
        return { url: `ws://127.0.0.1:${port}/ws?token=${token}`, headers, roomId: roomIds[roomOfUser(i)] }
      }
      const clients = []
      for (let i = 0; i < connections; i++) clients.push(await spec(i))
      const warm = []
      for (let i = connections; i < connections + WARM_SOCKETS; i++) warm.push(await spec(i))
      return { clients, warm }
    },
    stop,
  }
}
