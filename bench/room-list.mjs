// Room-list latency: one user in 200 rooms (each with a few messages, some unread), timing
// GET /api/v1/rooms. Starts the built server (`npm run build` first) against a throwaway database
// and drops it afterwards, or measures a running server when BENCH_URL is set.
//
//   npm run bench:rooms                    # ROOMS=200 MESSAGES=3 REQUESTS=300 CONCURRENCY=1
//   BENCH_URL=http://127.0.0.1:3000 npm run bench:rooms
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { freePort } from '../scripts/free-port.mjs'
import { join } from 'node:path'
import mysql from 'mysql2/promise'

const ROOMS = Number(process.env.ROOMS || 200)
const MESSAGES = Number(process.env.MESSAGES || 3)
const REQUESTS = Number(process.env.REQUESTS || 300)
const CONCURRENCY = Number(process.env.CONCURRENCY || 1)
const ROOT = join(import.meta.dirname, '..')
const dbConfig = { host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 3306), user: process.env.DB_USER || 'root', password: process.env.DB_PASS || '' }


async function startServer() {
  const entry = join(ROOT, '.output', 'server', 'index.mjs')
  if (!existsSync(entry)) throw new Error('No build found: run `npm run build` first')
  const port = await freePort()
  const dbName = `mm_bench_${Date.now().toString(36)}_${process.pid}`
  const proc = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: {
      ...process.env, NODE_ENV: 'production', DB_NAME: dbName, PORT: String(port), NITRO_PORT: String(port), NITRO_HOST: '127.0.0.1',
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789', LOG_LEVEL: 'warn', RATE_LIMIT_AUTH_PER_IP: '100000', RATE_LIMIT_MESSAGES_PER_SECOND_PER_USER: '100000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + 30_000; ;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) break
    }
    catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error('server did not become ready')
    await new Promise(r => setTimeout(r, 100))
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise(resolve => proc.once('exit', resolve))
      proc.kill('SIGTERM')
      await exited
      if (process.env.KEEP_BENCH_DB === '1') return console.log(`kept database ${dbName}`)
      const conn = await mysql.createConnection(dbConfig)
      await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``)
      await conn.end()
    },
  }
}

async function call(base, method, path, token, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return { json: text ? JSON.parse(text) : null, bytes: text.length }
}

async function inParallel(count, limit, task) {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await task(next++)
  }))
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

async function main() {
  const server = process.env.BENCH_URL ? { url: process.env.BENCH_URL, stop: async () => {} } : await startServer()
  try {
    const base = server.url
    const tag = Date.now().toString(36)
    const register = name => call(base, 'POST', '/auth/register', null, { email: `${name}@bench.test`, username: name, password: 'bench password 1' }).then(r => r.json)
    const me = await register(`bench_me_${tag}`)
    const peer = await register(`bench_peer_${tag}`)

    const t0 = performance.now()
    await inParallel(ROOMS, 8, async (i) => {
      const room = (await call(base, 'POST', '/rooms', me.access_token, { name: `Bench room ${i}`, member_ids: [peer.user.id] })).json
      for (let m = 0; m < MESSAGES; m++) {
        const author = m % 2 === 0 ? peer : me
        await call(base, 'POST', `/rooms/${room.id}/messages`, author.access_token, { content: `message ${m} in room ${i} 안녕 👋` })
      }
    })
    console.log(`setup: ${ROOMS} rooms x ${MESSAGES} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    const first = await call(base, 'GET', '/rooms', me.access_token)
    if (first.json.length !== ROOMS) throw new Error(`expected ${ROOMS} rooms, got ${first.json.length}`)
    for (let i = 0; i < 20; i++) await call(base, 'GET', '/rooms', me.access_token) // warm-up

    const times = []
    await inParallel(REQUESTS, CONCURRENCY, async () => {
      const t = performance.now()
      await call(base, 'GET', '/rooms', me.access_token)
      times.push(performance.now() - t)
    })
    times.sort((a, b) => a - b)
    const mean = times.reduce((s, x) => s + x, 0) / times.length
    console.log(`GET /rooms for a user in ${ROOMS} rooms (${(first.bytes / 1024).toFixed(0)} KiB), ${REQUESTS} requests, concurrency ${CONCURRENCY}:`)
    console.log(`  p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  p99 ${percentile(times, 99).toFixed(1)} ms  mean ${mean.toFixed(1)} ms  max ${times.at(-1).toFixed(1)} ms`)
  }
  finally {
    await server.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
