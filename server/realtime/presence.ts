/**
 * Online while a user has at least one open socket on any instance; offline once the last one has
 * been closed for the grace period (so a reload does not flap). With Redis, each instance keeps its
 * per-user socket counts in its own hash and a heartbeat key; a crashed instance's users are swept.
 */
import { eq } from 'drizzle-orm'
import { useConfig } from '../lib/config/env'
import { useDb } from '../lib/db/client'
import { users } from '../../drizzle/schema'
import { errorFields, log } from '../lib/logger'
import { setOnline, statusOf } from '../services/presence-state'
import { roomIdsOfUser } from '../services/membership'
import { broadcast, onRelayResumed, redisClient } from './cluster'
import { serializeFrame } from './frame'
import { hub } from './hub'

const HEARTBEAT_MS = 5000
const INSTANCE_TTL_SECONDS = 15
const graceTimers = new Map<number, NodeJS.Timeout>()
let heartbeat: NodeJS.Timeout | undefined

const prefix = () => useConfig().redisPrefix
const countsKey = (instanceId: string) => `${prefix()}presence:${instanceId}`
const aliveKey = (instanceId: string) => `${prefix()}instance:${instanceId}`
const instancesKey = () => `${prefix()}instances`

/**
 * Tells everyone who shares one of `roomIds` with the user. Each instance finds them among its own
 * sockets by room membership, so the announcement costs no query however many peers there are.
 */
function announce(userId: number, online: boolean, lastSeenAt: Date | null, roomIds: number[]): void {
  broadcast({ t: 'presence', userId, online })
  if (!roomIds.length) return
  const frame = serializeFrame('presence_update', { user_id: userId, status: online ? 'online' : 'offline', last_seen_at: lastSeenAt?.toISOString() ?? null })
  broadcast({ t: 'members', roomIds, exceptUserId: userId }, frame)
}

/**
 * Stores last_seen_at; never throws. If the database is away, the presence change must still
 * happen (a failed write here once left a user who closed the app during an outage online forever).
 */
async function touchLastSeen(userId: number): Promise<Date> {
  const now = new Date()
  try {
    const db = await useDb()
    await db.update(users).set({ lastSeenAt: now }).where(eq(users.id, userId))
  }
  catch (err) {
    log.warn('last_seen_at not stored', errorFields(err))
  }
  return now
}

/** Sum of the user's sockets over every live instance (Redis), or on this one. */
async function globalSocketCount(userId: number): Promise<number> {
  const redis = redisClient()
  if (!redis) return hub.socketsOfUser(userId).length
  const instances = await redis.smembers(instancesKey())
  const pipeline = redis.pipeline()
  for (const id of instances) {
    pipeline.exists(aliveKey(id))
    pipeline.hget(countsKey(id), String(userId))
  }
  const results = (await pipeline.exec()) ?? []
  let total = 0
  for (let i = 0; i < instances.length; i++) {
    const alive = Number(results[i * 2]?.[1]) === 1
    if (alive) total += Number(results[i * 2 + 1]?.[1] ?? 0)
  }
  return total
}

/** `roomIds`: the rooms the new socket's user is a member of (the socket's own, kept in step). */
export async function socketOpened(userId: number, roomIds: Iterable<number>): Promise<void> {
  const timer = graceTimers.get(userId)
  if (timer) {
    clearTimeout(timer)
    graceTimers.delete(userId)
  }
  const redis = redisClient()
  if (redis) await redis.hincrby(countsKey(useConfig().instanceId), String(userId), 1).catch(err => log.warn('presence count failed', errorFields(err)))
  if (hub.socketsOfUser(userId).length === 1 && statusOf(userId) === 'offline') {
    const lastSeenAt = await touchLastSeen(userId)
    // Read after the write: a room joined meanwhile is included.
    announce(userId, true, lastSeenAt, [...roomIds])
  }
}

export async function socketClosed(userId: number): Promise<void> {
  const redis = redisClient()
  if (redis) {
    const key = countsKey(useConfig().instanceId)
    const left = await redis.hincrby(key, String(userId), -1).catch(() => 0)
    if (left <= 0) await redis.hdel(key, String(userId)).catch(() => 0)
  }
  if (hub.socketsOfUser(userId).length > 0) return
  scheduleOfflineCheck(userId)
}

function scheduleOfflineCheck(userId: number) {
  clearTimeout(graceTimers.get(userId))
  graceTimers.set(userId, setTimeout(() => {
    graceTimers.delete(userId)
    void goOfflineIfGone(userId)
  }, useConfig().presenceGraceMs))
}

async function goOfflineIfGone(userId: number): Promise<void> {
  try {
    if (hub.socketsOfUser(userId).length > 0) return
    if ((await globalSocketCount(userId)) > 0) return
    if (statusOf(userId) === 'offline') return
    // No socket is left to say which rooms the user is in: the database does.
    const [lastSeenAt, roomIds] = await Promise.all([touchLastSeen(userId), roomIdsOfUser(userId)])
    announce(userId, false, lastSeenAt, roomIds)
  }
  catch (err) {
    // Redis or the database is away: look again later rather than leave the user online for good.
    log.warn('presence offline check failed', errorFields(err))
    if (!hub.socketsOfUser(userId).length) scheduleOfflineCheck(userId)
  }
}

/** Marks online everyone the other instances count sockets for. */
async function loadOtherInstances(redis: NonNullable<ReturnType<typeof redisClient>>): Promise<void> {
  const { instanceId } = useConfig()
  for (const id of await redis.smembers(instancesKey())) {
    if (id === instanceId) continue
    for (const [userId, count] of Object.entries(await redis.hgetall(countsKey(id)))) {
      if (Number(count) > 0) setOnline(Number(userId), true)
    }
  }
}

/**
 * The relay is back after losing Redis, which may have come back empty (no persistence): write
 * this instance's socket counts and heartbeat again, tell the others who is connected here and
 * read who is connected there, since presence changes published meanwhile were lost. Without
 * this, a user with sockets on two instances was announced offline as soon as they closed one.
 */
async function republish(): Promise<void> {
  const redis = redisClient()
  if (!redis) return
  const { instanceId } = useConfig()
  const counts = new Map<number, number>()
  for (const conn of hub.allSockets()) counts.set(conn.userId, (counts.get(conn.userId) ?? 0) + 1)
  const multi = redis.multi().del(countsKey(instanceId))
  if (counts.size) multi.hset(countsKey(instanceId), Object.fromEntries(counts))
  await multi.sadd(instancesKey(), instanceId).set(aliveKey(instanceId), '1', 'EX', INSTANCE_TTL_SECONDS).exec()
  for (const userId of counts.keys()) broadcast({ t: 'presence', userId, online: true })
  await loadOtherInstances(redis)
}

/** Registers this instance, loads who is online elsewhere, and sweeps crashed instances. */
export async function startPresence(): Promise<void> {
  const redis = redisClient()
  if (!redis) return
  const { instanceId } = useConfig()
  const beat = async () => {
    await redis.multi().sadd(instancesKey(), instanceId).set(aliveKey(instanceId), '1', 'EX', INSTANCE_TTL_SECONDS).exec()
    const instances = await redis.smembers(instancesKey())
    for (const id of instances) {
      if (id === instanceId || (await redis.exists(aliveKey(id)))) continue
      // A crashed instance: its users may now be offline.
      const orphaned = Object.keys(await redis.hgetall(countsKey(id))).map(Number)
      await redis.multi().del(countsKey(id)).srem(instancesKey(), id).exec()
      for (const userId of orphaned) if (!hub.socketsOfUser(userId).length) scheduleOfflineCheck(userId)
    }
  }
  await beat()
  await loadOtherInstances(redis)
  onRelayResumed(() => {
    republish().catch(err => log.warn('presence republish failed', errorFields(err)))
  })
  heartbeat = setInterval(() => beat().catch(err => log.warn('presence heartbeat failed', errorFields(err))), HEARTBEAT_MS)
  heartbeat.unref()
}

export async function stopPresence(): Promise<void> {
  clearInterval(heartbeat)
  const redis = redisClient()
  if (!redis) return
  // Only the heartbeat goes: the other instances then sweep our users exactly as after a crash,
  // so the ones who do not reconnect elsewhere go offline.
  await redis.del(aliveKey(useConfig().instanceId)).catch(() => undefined)
}
