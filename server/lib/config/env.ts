/**
 * Runtime configuration, read from the environment (and an optional `.env`) when the server
 * starts, never frozen at build time. The original Mmessenger variable names keep working.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

export interface AppConfig {
  env: 'production' | 'development' | 'test'
  db: { host: string, port: number, user: string, password: string, database: string }
  jwt: { secret: Uint8Array, accessTtlSeconds: number, refreshTtlSeconds: number, issuer: string, audience: string }
  server: { host: string, port: number }
  corsOrigins: string[]
  trustProxy: boolean
  autoMigrate: boolean
  redisUrl: string | null
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  limits: {
    bodyBytes: number
    authPerIpPerMinute: number
    loginPerAccountPerMinute: number
    wsFrameBytes: number
    socketsPerUser: number
    socketsPerIp: number
    messagesPerSecondPerConnection: number
    messagesPerSecondPerUser: number
    typingPerSecondPerConnection: number
    /** join_room and leave_room: each is a query, and a client switches rooms a few times a second at most. */
    joinsPerSecondPerConnection: number
    /** Every client frame, whatever its type: pings, joins and garbage cannot be flooded either. */
    framesPerSecondPerConnection: number
    /** Unsent bytes a socket may hold before it is dropped as not reading. */
    wsMaxBufferedBytes: number
    /** After a close for rate-limit abuse (4029), the user's new sockets are refused this long. */
    wsAbuseCooldownSeconds: number
  }
  presenceGraceMs: number
  instanceId: string
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'))
  }
}

/** Parses "15m", "168h", "30s", "7d" or plain seconds. */
export function parseDuration(value: string): number | null {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim())
  if (!match) return null
  const unit = { '': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd']
  return Number(match[1]) * unit
}

let loadedDotEnv = false
function loadDotEnv() {
  if (loadedDotEnv) return
  loadedDotEnv = true
  const file = join(process.cwd(), '.env')
  // Real environment variables win over the file: process.loadEnvFile never overrides them.
  if (existsSync(file)) process.loadEnvFile(file)
}

function devSecret(): Uint8Array {
  // A random secret kept in a git-ignored file, so restarting the dev server logs nobody out.
  const dir = join(process.cwd(), '.data')
  const file = join(dir, 'dev-jwt-secret')
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 })
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim())
}

function int(name: string, fallback: number, problems: string[], min = 0): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) {
    problems.push(`${name} must be an integer >= ${min} (got "${raw}")`)
    return fallback
  }
  return n
}

export function loadConfig(): AppConfig {
  loadDotEnv()
  const e = process.env
  const problems: string[] = []
  const env = e.NODE_ENV === 'production' ? 'production' : e.NODE_ENV === 'test' ? 'test' : 'development'

  let db = {
    host: e.DB_HOST || '127.0.0.1',
    port: int('DB_PORT', 3306, problems, 1),
    user: e.DB_USER || 'root',
    password: e.DB_PASS ?? e.DB_PASSWORD ?? '',
    database: e.DB_NAME || 'mmessenger',
  }
  if (e.DATABASE_URL) {
    try {
      const url = new URL(e.DATABASE_URL)
      if (!/^(mysql|mariadb):$/.test(url.protocol)) throw new Error('protocol')
      db = {
        host: url.hostname,
        port: url.port ? Number(url.port) : 3306,
        user: decodeURIComponent(url.username) || 'root',
        password: decodeURIComponent(url.password),
        database: url.pathname.replace(/^\//, '') || 'mmessenger',
      }
    }
    catch {
      problems.push('DATABASE_URL must look like mysql://user:password@host:3306/database')
    }
  }
  if (!/^[\w$]{1,64}$/.test(db.database)) problems.push(`DB_NAME "${db.database}" may hold only letters, digits, _ and $`)

  let secret: Uint8Array
  if (e.JWT_SECRET) {
    secret = new TextEncoder().encode(e.JWT_SECRET)
    if (env === 'production' && secret.byteLength < 32) problems.push('JWT_SECRET must be at least 32 bytes in production')
  }
  else if (env === 'production') {
    problems.push('JWT_SECRET is required in production (at least 32 random bytes, e.g. `openssl rand -base64 48`)')
    secret = new Uint8Array()
  }
  else {
    secret = devSecret()
  }

  const accessTtl = parseDuration(e.JWT_ACCESS_EXPIRY || '15m')
  const refreshTtl = parseDuration(e.JWT_REFRESH_EXPIRY || '168h')
  if (!accessTtl) problems.push(`JWT_ACCESS_EXPIRY must be a duration like 15m (got "${e.JWT_ACCESS_EXPIRY}")`)
  if (!refreshTtl) problems.push(`JWT_REFRESH_EXPIRY must be a duration like 168h (got "${e.JWT_REFRESH_EXPIRY}")`)

  const logLevel = (e.LOG_LEVEL || (env === 'test' ? 'warn' : 'info')) as AppConfig['logLevel']
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) problems.push('LOG_LEVEL must be debug, info, warn, error or silent')

  const config: AppConfig = {
    env,
    db,
    jwt: { secret, accessTtlSeconds: accessTtl || 900, refreshTtlSeconds: refreshTtl || 604800, issuer: 'mmessenger', audience: 'mmessenger' },
    server: {
      host: e.SERVER_HOST || e.NITRO_HOST || e.HOST || '0.0.0.0',
      port: int('SERVER_PORT', 0, problems) || int('NITRO_PORT', 0, problems) || int('PORT', 3000, problems),
    },
    corsOrigins: (e.CORS_ORIGINS || '').split(',').map(s => s.trim()).filter(Boolean),
    trustProxy: e.TRUST_PROXY === 'true' || e.TRUST_PROXY === '1',
    autoMigrate: e.AUTO_MIGRATE !== 'false' && e.AUTO_MIGRATE !== '0',
    redisUrl: e.REDIS_URL || null,
    redisPrefix: e.REDIS_PREFIX || 'mm:',
    logLevel,
    limits: {
      bodyBytes: int('BODY_LIMIT_BYTES', 64 * 1024, problems, 1024),
      authPerIpPerMinute: int('RATE_LIMIT_AUTH_PER_IP', 30, problems, 1),
      loginPerAccountPerMinute: int('RATE_LIMIT_LOGIN_PER_ACCOUNT', 10, problems, 1),
      wsFrameBytes: int('WS_MAX_FRAME_BYTES', 64 * 1024, problems, 1024),
      socketsPerUser: int('WS_MAX_SOCKETS_PER_USER', 20, problems, 1),
      socketsPerIp: int('WS_MAX_SOCKETS_PER_IP', 10000, problems, 1),
      messagesPerSecondPerConnection: int('RATE_LIMIT_MESSAGES_PER_SECOND', 20, problems, 1),
      messagesPerSecondPerUser: int('RATE_LIMIT_MESSAGES_PER_SECOND_PER_USER', 40, problems, 1),
      typingPerSecondPerConnection: int('RATE_LIMIT_TYPING_PER_SECOND', 10, problems, 1),
      joinsPerSecondPerConnection: int('RATE_LIMIT_JOINS_PER_SECOND', 10, problems, 1),
      framesPerSecondPerConnection: int('RATE_LIMIT_FRAMES_PER_SECOND', 100, problems, 1),
      wsMaxBufferedBytes: int('WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, problems, 64 * 1024),
      wsAbuseCooldownSeconds: int('WS_ABUSE_COOLDOWN_SECONDS', 10, problems),
    },
    presenceGraceMs: int('PRESENCE_GRACE_MS', 5000, problems),
    instanceId: e.INSTANCE_ID || randomBytes(6).toString('hex'),
  }
  if (problems.length) throw new ConfigError(problems)
  return config
}

let cached: AppConfig | undefined
/** The validated configuration; throws ConfigError listing every problem. */
export function useConfig(): AppConfig {
  cached ??= loadConfig()
  return cached
}
