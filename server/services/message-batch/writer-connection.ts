/**
 * A connection of the writer pool, used through mysql2's callback API: the promise wrapper
 * captures a stack trace for every query, which showed up in the hot path's profile.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2'
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

/**
 * Lends a connection for one transaction. The work must end with COMMIT; if it throws, the
 * transaction is rolled back before the connection goes back to the pool.
 */
export async function inWriterTransaction<T>(work: (conn: WriterConnection) => Promise<T>): Promise<T> {
  const pool = (await useWriterPool()).pool
  const conn = await new Promise<PoolConnection>((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))))
  let usable = true
  try {
    return await work({ query: (sql, values) => queryOn(conn, sql, values) })
  }
  catch (err) {
    // A connection that cannot even roll back is not lent again.
    await queryOn(conn, 'ROLLBACK', []).catch(() => { usable = false })
    throw err
  }
  finally {
    if (usable) conn.release()
    else conn.destroy()
  }
}
