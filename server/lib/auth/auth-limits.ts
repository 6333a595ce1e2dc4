import type { H3Event } from 'h3'
import { RateLimiter } from '../rate-limit'
import { useConfig } from '../config/env'
import { rateLimited } from '../errors/app-error'
import { clientIp } from '../http/client-ip'

let perIp: RateLimiter | undefined
let perAccount: RateLimiter | undefined

/**
 * Throttles login and register per client address and, for login, per account, so neither a
 * single address nor a botnet aimed at one account can guess passwords quickly.
 * @throws AppError 429 with Retry-After
 */
export function limitAuthAttempt(event: H3Event, account?: string): void {
  const { limits } = useConfig()
  perIp ??= new RateLimiter(limits.authPerIpPerMinute, 60_000)
  perAccount ??= new RateLimiter(limits.loginPerAccountPerMinute, 60_000)
  const ipWait = perIp.hit(clientIp(event))
  if (ipWait) throw rateLimited(ipWait)
  if (account) {
    const accountWait = perAccount.hit(account)
    if (accountWait) throw rateLimited(accountWait)
  }
}
