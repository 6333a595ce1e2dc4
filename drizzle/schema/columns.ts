import { bigint, datetime } from 'drizzle-orm/mysql-core'
import { sql } from 'drizzle-orm'

/** Every id is BIGINT UNSIGNED; JS numbers are exact below 2^53, which ids never reach in practice. */
export const id = (name = 'id') => bigint(name, { mode: 'number', unsigned: true })

/** UTC timestamps with milliseconds; the pool runs with timezone 'Z'. */
export const timestamp = (name: string) => datetime(name, { mode: 'date', fsp: 3 })
export const createdAt = () => timestamp('created_at').notNull().default(sql`CURRENT_TIMESTAMP(3)`)
