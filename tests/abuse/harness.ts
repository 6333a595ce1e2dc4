/**
 * Each abuse file runs its own built server (so it can read that server's output and memory) on a
 * throwaway database, and ends by checking the server came through: still up, `/healthz` answers,
 * and its output holds no uncaught exception, unhandled rejection or 500.
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { dropDatabase, startServer, testEnv, uniqueDbName, type RunningServer } from '../helpers/server'

export interface AbuseServer extends RunningServer {
  dbName: string
  /** Stops the server and drops its database. */
  finish: () => Promise<void>
}

export async function startAbuseServer(extra: Record<string, string> = {}): Promise<AbuseServer> {
  const dbName = uniqueDbName('mm_abuse')
  const server = await startServer(testEnv(dbName, extra))
  return {
    ...server,
    dbName,
    finish: async () => {
      await server.stop()
      if (process.env.KEEP_TEST_DB !== '1') await dropDatabase(dbName)
    },
  }
}

/** Lines Nitro (`[uncaughtException]`, `[unhandledRejection]`) or our logger (`uncaught_count`) print for errors nothing caught. */
const UNCAUGHT_RE = /uncaught|unhandled/i
/** Lines our logger prints when a request or a frame failed with a 500. */
const FAILED_RE = /"msg":"(request failed|ws frame failed)"/

export function uncaughtLines(output: string): string[] {
  return output.split('\n').filter(line => UNCAUGHT_RE.test(line))
}

export function failureLines(output: string): string[] {
  return output.split('\n').filter(line => FAILED_RE.test(line))
}

/** The server process is alive, answers `/healthz`, and logged no uncaught error and no 500. */
export async function expectHealthy(server: RunningServer): Promise<void> {
  expect(server.proc.exitCode, 'server process exited').toBeNull()
  const res = await fetch(server.url + '/healthz')
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual({ status: 'ok' })
  expect(uncaughtLines(server.output()), 'uncaught exceptions / unhandled rejections').toEqual([])
  expect(failureLines(server.output()), 'requests or frames that failed with a 500').toEqual([])
}

/** Resident memory of a process in bytes, from /proc. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : 0
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export const median = (values: number[]) => percentile(values, 50)

/** A small seeded PRNG (mulberry32), so a failing fuzz run can be replayed with ABUSE_SEED. */
export function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    bool: (p = 0.5) => next() < p,
  }
}
export type Rng = ReturnType<typeof rng>

export const SEED = Number(process.env.ABUSE_SEED) || 20261127

/** Writes one line of measured numbers, so a run's figures can be copied into docs/abuse.md. */
export function report(name: string, figures: Record<string, unknown>): void {
  console.log(`[abuse] ${name} ${JSON.stringify(figures)}`)
}

/** A room's whole history through REST, oldest first. */
export async function history(base: string, token: string, roomId: number): Promise<Array<{ id: number, seq: number, content: string, client_msg_id: string | null }>> {
  const out = []
  for (let after = 0; ;) {
    const res = await fetch(`${base}/api/v1/rooms/${roomId}/messages?after_seq=${after}&limit=100`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const page = await res.json() as Array<{ id: number, seq: number, content: string, client_msg_id: string | null }>
    out.push(...page)
    if (page.length < 100) return out
    after = page.at(-1)!.seq
  }
}
