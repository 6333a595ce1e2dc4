// Processes the chaos suite owns: a private MariaDB, a private Redis and the built server. Every
// process started here is tracked by pid and ended by pid at exit; nothing shared is ever touched
// (the machine's own MariaDB on 3306 and Redis on 6379 keep serving other work untouched).
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { freePort } from '../../scripts/free-port.mjs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'

export const ROOT = join(import.meta.dirname, '..', '..')
export const SERVER_ENTRY = join(ROOT, '.output', 'server', 'index.mjs')
export const JWT_SECRET = 'chaos-secret-that-is-long-enough-for-hs256-0123456789'

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const owned = new Set()
/** Ends every process this run started (synchronously, so it also works from an 'exit' handler). */
export function killOwned() {
  for (const proc of owned) {
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        proc.kill('SIGKILL')
      }
      catch { /* already gone */ }
    }
  }
  owned.clear()
}


export async function waitFor(what, check, timeoutMs = 30_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await check()) return
    }
    catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(intervalMs)
  }
}

/** Spawns a tracked child whose output goes to `logFile` (appended). Resolves `exited` with {code, signal}. */
function spawnLogged(command, args, { env, logFile, cwd = ROOT }) {
  const proc = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  owned.add(proc)
  const out = createWriteStream(logFile, { flags: 'a' })
  proc.stdout.pipe(out, { end: false })
  proc.stderr.pipe(out, { end: false })
  const exited = new Promise(resolve => proc.once('exit', (code, signal) => {
    owned.delete(proc)
    resolve({ code, signal })
  }))
  return { proc, exited }
}

export function makeWorkDir() {
  return mkdtempSync(join(tmpdir(), 'mm-chaos-'))
}

export function removeWorkDir(dir) {
  rmSync(dir, { recursive: true, force: true })
}

/** `npm run build` unless the built server is there already. */
export function ensureBuild() {
  if (existsSync(SERVER_ENTRY)) return
  console.log('chaos: no build found, running `npm run build` ...')
  const res = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (res.status !== 0) throw new Error('npm run build failed')
}

/**
 * A private MariaDB on a free port, in its own data directory, with the durability settings the
 * delivery contract needs: every commit flushed to the redo log (innodb_flush_log_at_trx_commit=1)
 * and to the binary log (sync_binlog=1) before the client hears OK.
 */
export async function startPrivateMariaDb(workDir) {
  const dir = join(workDir, 'mariadb')
  const datadir = join(dir, 'data')
  const logFile = join(workDir, 'mariadb.log')
  const asRoot = process.getuid?.() === 0
  const install = spawnSync('mariadb-install-db', [
    '--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db',
    ...(asRoot ? ['--user=root'] : []),
  ], { encoding: 'utf8' })
  if (install.status !== 0) throw new Error(`mariadb-install-db failed (is MariaDB installed?): ${install.stderr || install.error}`)
  const port = await freePort()
  const mariadbd = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd'
  const args = [
    '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${join(dir, 'sock')}`, `--pid-file=${join(dir, 'pid')}`,
    '--bind-address=127.0.0.1', '--skip-name-resolve', `--log-error=${join(dir, 'error.log')}`,
    '--innodb-flush-log-at-trx-commit=1', `--log-bin=${join(dir, 'binlog')}`, '--sync-binlog=1', '--server-id=1',
    '--innodb-buffer-pool-size=64M', '--performance-schema=OFF', '--max-connections=300',
    ...(asRoot ? ['--user=root'] : []),
  ]
  let current
  const db = {
    port,
    starts: 0,
    async start() {
      current = spawnLogged(mariadbd, args, { env: process.env, logFile })
      db.starts++
      await waitFor('private MariaDB', async () => {
        if (current.proc.exitCode !== null) throw Object.assign(new Error('mariadbd exited'), { fatal: true })
        const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '' })
        await conn.end()
        return true
      }, 60_000, 100).catch((err) => {
        throw new Error(`${err.message}; see ${join(dir, 'error.log')}:\n${tail(join(dir, 'error.log'))}`)
      })
    },
    /** SIGKILL: a crash, InnoDB recovers from its redo log on the next start. SIGTERM: a clean shutdown. */
    async stop(signal = 'SIGTERM') {
      if (!current || current.proc.exitCode !== null) return
      current.proc.kill(signal)
      const timer = setTimeout(() => current.proc.kill('SIGKILL'), 30_000)
      await current.exited
      clearTimeout(timer)
    },
    async settings() {
      const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '' })
      const [rows] = await conn.query('SELECT @@version AS version, @@innodb_flush_log_at_trx_commit AS flush, @@sync_binlog AS sync_binlog, @@log_bin AS log_bin')
      await conn.end()
      return rows[0]
    },
  }
  await db.start()
  return db
}

/** A private Redis on a free port: no persistence, so a restart loses everything (the worst case). */
export async function startPrivateRedis(workDir) {
  const port = await freePort()
  const logFile = join(workDir, 'redis.log')
  let current
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      current = spawnLogged('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', workDir], { env: process.env, logFile })
      await waitFor('private Redis', () => ping(port), 15_000, 50)
    },
    async stop(signal = 'SIGKILL') {
      if (!current || current.proc.exitCode !== null) return
      current.proc.kill(signal)
      await current.exited
    },
  }
  await redis.start()
  return redis
}

async function ping(port) {
  const { connect } = await import('node:net')
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(1000)
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (d) => {
      socket.destroy()
      resolve(d.toString().startsWith('+PONG'))
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** Env of a chaos server: fixed secret (shared by every instance and restart), limits out of the way. */
export function serverEnv(extra) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    NITRO_HOST: '127.0.0.1',
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_AUTH_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
    RATE_LIMIT_MESSAGES_PER_SECOND: '10000',
    RATE_LIMIT_MESSAGES_PER_SECOND_PER_USER: '10000',
    PRESENCE_GRACE_MS: '1000',
    NITRO_SHUTDOWN_TIMEOUT: '15000',
    ...extra,
  }
}

/**
 * One server instance on a fixed port, restartable on the same port so clients reconnect to the
 * same URL. Every start appends to the same log; `expectedExit` tells a crash from a kill of ours.
 */
export async function startAppServer(name, workDir, env) {
  const port = await freePort()
  const logFile = join(workDir, `server-${name}.log`)
  const url = `http://127.0.0.1:${port}`
  let current
  const server = {
    name,
    url,
    port,
    logFile,
    starts: 0,
    unexpectedExits: [],
    exits: [],
    get pid() { return current?.proc.pid },
    get running() { return !!current && current.proc.exitCode === null && current.proc.signalCode === null },
    async start() {
      const run = spawnLogged(process.execPath, [SERVER_ENTRY], { env: { ...env, PORT: String(port), NITRO_PORT: String(port) }, logFile })
      current = run
      run.expected = false
      server.starts++
      run.exited.then(({ code, signal }) => {
        server.exits.push({ code, signal, expected: run.expected, at: Date.now() })
        if (!run.expected) server.unexpectedExits.push({ code, signal, at: Date.now() })
      })
      await waitFor(`server ${name}`, async () => {
        if (run.proc.exitCode !== null) throw new Error(`server ${name} exited with ${run.proc.exitCode}`)
        return (await fetch(`${url}/readyz`)).ok
      }, 60_000, 100)
    },
    /** Sends `signal` and waits for the exit; returns {code, signal, ms}. */
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (!server.running) return null
      const run = current
      run.expected = true
      const started = Date.now()
      run.proc.kill(signal)
      const timer = setTimeout(() => run.proc.kill('SIGKILL'), timeoutMs)
      const result = await run.exited
      clearTimeout(timer)
      return { ...result, ms: Date.now() - started }
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  }
  await server.start()
  return server
}

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n')
  }
  catch {
    return '(no log)'
  }
}

/**
 * Lines of a server log that mean trouble: a crash, an uncaught exception or unhandled rejection,
 * a raw stack trace; and lines that leak a query or its parameters (message text, emails, hashes).
 * Expected noise during a fault (warnings, logged 5xx) is only counted.
 */
export function scanServerLog(text) {
  const lines = text.split('\n').filter(Boolean)
  const alarming = []
  const leaks = []
  let errors = 0
  let warnings = 0
  for (const line of lines) {
    if (/uncaught|unhandled|segmentation fault|out of memory|heap limit/i.test(line)) alarming.push(line)
    else if (!line.startsWith('{') && /^\s*at\s|Error:/.test(line)) alarming.push(line)
    // Logs carry error names and codes, never a query or the values it was called with.
    if (/params:|Failed query:|\b(select|insert into|update) .+ (from|values|set) /i.test(line)) leaks.push(line)
    if (line.includes('"level":"error"')) errors++
    if (line.includes('"level":"warn"')) warnings++
  }
  return { lines: lines.length, errors, warnings, alarming, leaks }
}
