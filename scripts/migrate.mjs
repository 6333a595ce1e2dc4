// `npm run db:migrate`: creates the database if missing and applies the committed migrations.
import { existsSync } from 'node:fs'
import mysql from 'mysql2/promise'
import { drizzle } from 'drizzle-orm/mysql2'
import { migrate } from 'drizzle-orm/mysql2/migrator'

if (existsSync('.env')) process.loadEnvFile('.env')
const env = process.env
let cfg = { host: env.DB_HOST || '127.0.0.1', port: Number(env.DB_PORT || 3306), user: env.DB_USER || 'root', password: env.DB_PASS || '', database: env.DB_NAME || 'mmessenger' }
if (env.DATABASE_URL) {
  const u = new URL(env.DATABASE_URL)
  cfg = { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) }
}
if (!/^[\w$]{1,64}$/.test(cfg.database)) throw new Error('Invalid database name')
let conn
try {
  conn = await mysql.createConnection({ host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password, charset: 'utf8mb4_unicode_ci' })
}
catch (err) {
  console.error(`Cannot connect to MySQL at ${cfg.host}:${cfg.port} (${err.code || err.message}): start MySQL/MariaDB or set DATABASE_URL`)
  process.exit(1)
}
await conn.query(`CREATE DATABASE IF NOT EXISTS \`${cfg.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
await conn.query(`USE \`${cfg.database}\``)
await conn.query('SELECT GET_LOCK(?, 60)', [`mmessenger_migrate_${cfg.database}`])
await migrate(drizzle(conn), { migrationsFolder: 'drizzle/migrations' })
await conn.query('SELECT RELEASE_LOCK(?)', [`mmessenger_migrate_${cfg.database}`])
await conn.end()
console.log(`Database ${cfg.database} is migrated.`)
