/**
 * Fan-out between instances. Every message is handled on this instance at once and, when REDIS_URL
 * is set, published on a Redis channel for the others (tagged with our instance id so we skip our
 * own). Without Redis everything stays in this process. Frames travel pre-serialized.
 */
import { Redis } from 'ioredis'
import { useConfig } from '../lib/config/env'
import { errorFields, log } from '../lib/logger'

export type ClusterMessage =
  | { t: 'room', roomId: number, added?: number[], removed?: number[] }
  | { t: 'users', userIds: number[] }
  | { t: 'viewers', roomId: number, exceptUserId?: number }
  /** Every member of any of the rooms, once per socket, but for one user (presence). */
  | { t: 'members', roomIds: number[], exceptUserId: number }
  | { t: 'room_deleted', roomId: number, memberIds: number[] }
  | { t: 'sessions_revoked', sessionIds: number[] }
  | { t: 'presence', userId: number, online: boolean }

type Handler = (message: ClusterMessage, frame: string) => void

const resubscribedHandlers: Array<() => void> = []
/** Called each time the relay listens again after losing Redis (Redis may have come back empty). */
export function onRelayResumed(h: () => void): void {
  resubscribedHandlers.push(h)
}

const channel = () => `${useConfig().redisPrefix}cluster`
let handler: Handler | undefined
let publisher: Redis | undefined
let subscriber: Redis | undefined

export function onClusterMessage(h: Handler): void {
  handler = h
}

/** Delivers here, then to the other instances. `frame` is a serialized frame or ''. */
export function broadcast(message: ClusterMessage, frame = ''): void {
  handler?.(message, frame)
  if (publisher) {
    // header JSON, newline, frame: the frame string is not escaped a second time.
    publisher.publish(channel(), `${useConfig().instanceId}\n${JSON.stringify(message)}\n${frame}`).catch((err) => {
      log.warn('redis publish failed', errorFields(err))
    })
  }
}

export function redisClient(): Redis | undefined {
  return publisher
}

export async function startCluster(): Promise<void> {
  const { redisUrl, instanceId } = useConfig()
  if (!redisUrl) return
  const options = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false, retryStrategy: (n: number) => Math.min(n * 200, 2000) }
  publisher = new Redis(redisUrl, options)
  subscriber = new Redis(redisUrl, options)
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('error', err => log.warn(`redis ${name} error`, errorFields(err)))
  }
  subscriber.on('message', (_channel: string, raw: string) => {
    const first = raw.indexOf('\n')
    const second = raw.indexOf('\n', first + 1)
    if (first < 0 || second < 0 || raw.slice(0, first) === instanceId) return
    try {
      handler?.(JSON.parse(raw.slice(first + 1, second)) as ClusterMessage, raw.slice(second + 1))
    }
    catch (err) {
      log.error('cluster message failed', errorFields(err))
    }
  })
  await subscriber.subscribe(channel())
  // From now on 'ready' means a reconnect; ioredis has already sent the SUBSCRIBE again by then.
  subscriber.on('ready', () => {
    log.info('cluster relay resumed', { instance: instanceId })
    for (const h of resubscribedHandlers) h()
  })
  log.info('cluster via redis', { instance: instanceId })
}

export async function stopCluster(): Promise<void> {
  await Promise.allSettled([publisher?.quit(), subscriber?.quit()])
  publisher = subscriber = undefined
}
