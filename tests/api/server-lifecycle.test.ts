import { spawn } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import mysql from 'mysql2/promise'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { api } from '../helpers/api'
import { dropDatabase, ROOT, SERVER_ENTRY, startServer, testEnv, uniqueDbName } from '../helpers/server'

const created: string[] = []
afterAll(async () => {
  for (const db of created) await dropDatabase(db)
})

async function query<T = any>(db: string, sql: string): Promise<T[]> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: db })
  const [rows] = await conn.query(sql)
  await conn.end()
  return rows as T[]
}

/** Runs the server entry until it exits, returning its exit code and output. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null, output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env: { ...process.env, NITRO_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    proc.stdout.on('data', (d) => { output += d })
    proc.stderr.on('data', (d) => { output += d })
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe('migrations', () => {
  it('migrate a fresh database from zero, in utf8mb4, and a second start changes nothing', async () => {
    const db = uniqueDbName('mm_mig')
    created.push(db)
    const journal = JSON.parse(readFileSync(join(ROOT, 'drizzle', 'migrations', 'meta', '_journal.json'), 'utf8'))
    const first = await startServer(testEnv(db))
    await first.stop()
    const applied = await query(db, 'SELECT hash, created_at FROM __drizzle_migrations ORDER BY id')
    expect(applied).toHaveLength(journal.entries.length)
    const tables = (await query<{ t: string }>(db, 'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()')).map(r => r.t).sort()
    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'refresh_tokens', 'rooms', 'room_members', 'messages', 'room_events']))
    const [schema] = await query(db, 'SELECT default_character_set_name AS cs FROM information_schema.schemata WHERE schema_name = DATABASE()')
    expect(schema.cs).toBe('utf8mb4')

    const second = await startServer(testEnv(db))
    const res = await api('POST', '/auth/register', { base: second.url, body: { email: 'again@example.test', username: '두번째', password: 'password123' } })
    expect(res.status).toBe(201)
    await second.stop()
    expect(await query(db, 'SELECT hash, created_at FROM __drizzle_migrations ORDER BY id')).toEqual(applied)
  })

  it('do not run when AUTO_MIGRATE=false', async () => {
    const db = uniqueDbName('mm_nomig')
    created.push(db)
    const server = await startServer(testEnv(db, { AUTO_MIGRATE: 'false' }), { waitReady: false })
    expect((await fetch(server.url + '/readyz')).status).toBe(503)
    await server.stop()
  })
})

describe('configuration', () => {
  it('refuses to start in production without a long JWT_SECRET, saying why', async () => {
    const missing = await runToExit({ NODE_ENV: 'production', JWT_SECRET: '', DB_NAME: 'mm_unused' })
    expect(missing.code).not.toBe(0)
    expect(missing.output).toContain('JWT_SECRET is required in production')
    const short = await runToExit({ NODE_ENV: 'production', JWT_SECRET: 'too-short', DB_NAME: 'mm_unused' })
    expect(short.output).toContain('JWT_SECRET must be at least 32 bytes')
  })

  it('says in one line how to fix an unreachable database', async () => {
    const res = await runToExit({ ...testEnv('mm_unused'), DB_PORT: '1' })
    expect(res.code).not.toBe(0)
    expect(res.output).toContain('Cannot connect to MySQL at 127.0.0.1:1 (ECONNREFUSED): start MySQL/MariaDB or set DATABASE_URL')
  })
})

describe('rate limits', () => {
  it('throttle login per address with Retry-After, and a forged X-Forwarded-For does not help', async () => {
    const db = uniqueDbName('mm_rl')
    created.push(db)
    const server = await startServer(testEnv(db, { RATE_LIMIT_AUTH_PER_IP: '5', RATE_LIMIT_LOGIN_PER_ACCOUNT: '100' }))
    try {
      const statuses: number[] = []
      let last
      for (let i = 0; i < 8; i++) {
        last = await api('POST', '/auth/login', { base: server.url, body: { email: `nobody${i}@example.test`, password: 'whatever1' }, headers: { 'x-forwarded-for': `10.0.0.${i}` } })
        statuses.push(last.status)
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
      expect(statuses.slice(5)).toEqual([429, 429, 429])
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(last!.body.code).toBe('RATE_LIMITED')
    }
    finally {
      await server.stop()
    }
  })

  it('throttle login per account whatever the address', async () => {
    const db = uniqueDbName('mm_rl')
    created.push(db)
    const server = await startServer(testEnv(db, { RATE_LIMIT_AUTH_PER_IP: '1000', RATE_LIMIT_LOGIN_PER_ACCOUNT: '3', TRUST_PROXY: 'true' }))
    try {
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) {
        const res = await api('POST', '/auth/login', { base: server.url, body: { email: 'victim@example.test', password: 'guess' + i }, headers: { 'x-forwarded-for': `10.0.1.${i}` } })
        statuses.push(res.status)
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429])
    }
    finally {
      await server.stop()
    }
  })
})
