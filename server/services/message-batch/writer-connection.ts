/**
 * Connections of the writer pool, used through mysql2's callback API: the promise wrapper
 * captures a stack trace for every query, which showed up in the hot path's profile. One round
 * trip that commits itself goes through `inOneTrip`; a transaction of several through
 * `inWriterTransaction`.
 */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2'
import { useWriterPool } from '../../lib/db/client'

export type Results = RowDataPacket[][]

export interface WriterConnection {
  /** Runs one round trip (several statements, `?` placeholders) and resolves with every result. */
  query: (sql: string, values: unknown[]) => Promise<Results>
}

function queryOn(conn: PoolConnection, sql: string, values: unknown[]): Promise<Results> {
  return new Promise((resolve, reject) => {
    conn.query(sql, values, (err, results) => (err ? reject(err) : resolve(results as unknown as Results)))
  })
}

/** The writer pool's callback side, at hand without an `await` once the first send has found it. */
let corePool: Pool | undefined

function lend(callback: (err: Error | null, conn?: PoolConnection) => void): void {
  if (corePool) return corePool.getConnection(callback)
  useWriterPool().then((p) => {
    corePool = p.pool
    corePool.getConnection(callback)
  }, err => callback(err as Error))
}

/**
 * One round trip whose SQL commits its own transaction (the lone-send CALL, the one-trip batch),
 * on callbacks from the pool to the answer: every `await` is another turn of the microtask queue,
 * and at tens of messages a second each one runs from cold caches. If the round trip fails, the
 * connection is rolled back before it is lent again, or dropped if even that fails.
 */
export function inOneTrip(sql: string, values: unknown[]): Promise<Results> {
  return new Promise((resolve, reject) => lend((lendErr, conn) => {
    if (lendErr || !conn) return reject(lendErr)
    conn.query(sql, values, (err, results) => {
      if (!err) {
        conn.release()
        return resolve(results as unknown as Results)
      }
      rollBackAndReturn(conn, () => reject(err))
    })
  }))
}

/** Rolls back a failed transaction and returns the connection; one that cannot even roll back is dropped. */
function rollBackAndReturn(conn: PoolConnection, done: () => void): void {
  conn.query('ROLLBACK', [], (rollbackErr) => {
    if (rollbackErr) conn.destroy()
    else conn.release()
    done()
  })
}

/**
 * Lends a connection for one transaction. The work must end with COMMIT; if it throws, the
 * transaction is rolled back before the connection goes back to the pool.
 */
export async function inWriterTransaction<T>(work: (conn: WriterConnection) => Promise<T>): Promise<T> {
  const conn = await new Promise<PoolConnection>((resolve, reject) => lend((err, c) => (err || !c ? reject(err) : resolve(c))))
  let result: T
  try {
    result = await work({ query: (sql, values) => queryOn(conn, sql, values) })
  }
  catch (err) {
    await new Promise<void>(done => rollBackAndReturn(conn, done))
    throw err
  }
  conn.release()
  return result
}
