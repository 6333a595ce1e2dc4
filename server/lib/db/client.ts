/**
 * The MySQL pool and the Drizzle handle. `useDb()` waits for the one "database ready" promise:
 * Nitro does not await async plugins, so a request may arrive before the pool or the migrations.
 */
import mysql from 'mysql2/promise'
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2'
import * as schema from '../../../drizzle/schema'
import { useConfig } from '../config/env'
import { prepareDatabase } from './prepare'

export type Db = MySql2Database<typeof schema>

let pool: mysql.Pool | undefined
let ready: Promise<Db> | undefined

export function createPool(database: string | undefined, connectionLimit = 20, options: { multipleStatements?: boolean } = {}): mysql.Pool {
  const { db } = useConfig()
  return mysql.createPool({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database,
    connectionLimit,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    dateStrings: false,
    // Ids are BIGINT UNSIGNED: without this mysql2 would round large ones silently.
    supportBigNumbers: true,
    bigNumberStrings: false,
    enableKeepAlive: true,
    multipleStatements: options.multipleStatements ?? false,
    // mysql2 gives every connection a prepared-statement cache of 16,000 slots by default, allocated
    // up front (four arrays, about 0.5 MB a connection, 14 MB over both pools). Drizzle sends every
    // query with `query()`, so nothing is prepared server-side today; a few slots are plenty.
    maxPreparedStatements: 16,
  })
}

let writerPool: mysql.Pool | undefined
/**
 * A small pool for the message writer only, allowing several statements per round trip (its SQL is
 * fixed and every value goes through placeholders). Everything else uses the single-statement pool.
 */
export async function useWriterPool(): Promise<mysql.Pool> {
  await useDb()
  writerPool ??= createPool(useConfig().db.database, 8, { multipleStatements: true })
  return writerPool
}

/** Resolves once the database exists, is migrated (unless AUTO_MIGRATE=false) and the pool works. */
export function useDb(): Promise<Db> {
  ready ??= (async () => {
    await prepareDatabase()
    pool = createPool(useConfig().db.database, Number(process.env.DB_POOL_SIZE) || 20)
    return drizzle(pool, { schema, mode: 'default' })
  })()
  // A failed start must not poison every later request: try again next time.
  ready.catch(() => { ready = undefined })
  return ready
}


export async function closeDb(): Promise<void> {
  const pools = [pool, writerPool]
  pool = writerPool = undefined
  ready = undefined
  await Promise.all(pools.map(p => p?.end()))
}
