/**
 * Starts the built server (`.output/`) as a real child process on a free port, against its own
 * database, and stops it again. Every suite shares one build.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { freePort } from '../../scripts/free-port.mjs'
import { join } from 'node:path'
import mysql from 'mysql2/promise'

export const ROOT = join(import.meta.dirname, '..', '..')
export const SERVER_ENTRY = join(ROOT, '.output', 'server', 'index.mjs')

export interface RunningServer {
  url: string
  port: number
  proc: ChildProcess
  output: () => string
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

export function uniqueDbName(prefix = 'mm_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${process.pid}_${Math.floor(Math.random() * 1e6).toString(36)}`
}

export async function dropDatabase(name: string): Promise<void> {
  const conn = await mysql.createConnection({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 3306), user: process.env.DB_USER || 'root', password: process.env.DB_PASS || '' })
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
  await conn.end()
}

/** Defaults for test servers: a fixed secret, quiet logs, limits high enough for many test users. */
export function testEnv(dbName: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DB_NAME: dbName,
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_AUTH_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
    PRESENCE_GRACE_MS: '1500',
    RATE_LIMIT_MESSAGES_PER_SECOND: '1000',
    RATE_LIMIT_MESSAGES_PER_SECOND_PER_USER: '1000',
    RATE_LIMIT_FRAMES_PER_SECOND: '100000',
    RATE_LIMIT_JOINS_PER_SECOND: '100000',
    ...extra,
  }
}

export async function startServer(env: Record<string, string>, options: { waitReady?: boolean } = {}): Promise<RunningServer> {
  if (!existsSync(SERVER_ENTRY)) throw new Error('No build found: run `npm run build` first')
  const port = await freePort()
  let out = ''
  const proc = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: ROOT,
    env: { ...process.env, NITRO_HOST: '127.0.0.1', NITRO_PORT: String(port), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout!.on('data', (d) => { out += d })
  proc.stderr!.on('data', (d) => { out += d })
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<number | null>(resolve => proc.once('exit', code => resolve(code)))
  const deadline = Date.now() + 30_000
  const path = options.waitReady === false ? '/healthz' : '/readyz'
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`)
    try {
      const res = await fetch(url + path)
      if (res.ok) break
    }
    catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`server did not become ready:\n${out}`)
    }
    await new Promise(r => setTimeout(r, 100))
  }
  return {
    url,
    port,
    proc,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode !== null) return proc.exitCode
      proc.kill(signal)
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}
