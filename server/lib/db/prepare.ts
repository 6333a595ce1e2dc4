import mysql from 'mysql2/promise'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/mysql2'
import { migrate } from 'drizzle-orm/mysql2/migrator'
import { useConfig } from '../config/env'

export class DatabaseUnavailableError extends Error {}

/** Where the generated SQL lives: next to the built server, or in the source tree in dev and tests. */
export function migrationsFolder(): string {
  const candidates = [
    process.env.MIGRATIONS_DIR,
    join(dirname(fileURLToPath(import.meta.url)), 'drizzle', 'migrations'),
    join(process.cwd(), '.output', 'server', 'drizzle', 'migrations'),
    join(process.cwd(), 'drizzle', 'migrations'),
  ].filter((p): p is string => !!p)
  const found = candidates.find(p => existsSync(join(p, 'meta', '_journal.json')))
  if (!found) throw new Error('Cannot find the drizzle migrations folder; set MIGRATIONS_DIR')
  return found
}

function describe(err: unknown): string {
  const e = err as { code?: string, message?: string }
  return e.code || e.message || String(err)
}

/** Creates the database (utf8mb4) if missing and applies pending migrations under a lock. */
export async function prepareDatabase(options: { migrate?: boolean } = {}): Promise<void> {
  const { db, autoMigrate } = useConfig()
  let conn: mysql.Connection
  try {
    conn = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, charset: 'utf8mb4_unicode_ci', timezone: 'Z', multipleStatements: false, supportBigNumbers: true })
  }
  catch (err) {
    throw new DatabaseUnavailableError(`Cannot connect to MySQL at ${db.host}:${db.port} (${describe(err)}): start MySQL/MariaDB or set DATABASE_URL`)
  }
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${db.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
    await conn.query(`USE \`${db.database}\``)
    if (!(options.migrate ?? autoMigrate)) return
    // Several instances may start at once and the migrator takes no lock of its own.
    const [rows] = await conn.query('SELECT GET_LOCK(?, 60) AS got', [`mmessenger_migrate_${db.database}`])
    if ((rows as Array<{ got: number }>)[0]?.got !== 1) throw new Error('Timed out waiting for the migration lock')
    try {
      await migrate(drizzle(conn), { migrationsFolder: migrationsFolder() })
    }
    finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [`mmessenger_migrate_${db.database}`])
    }
  }
  finally {
    await conn.end()
  }
}
