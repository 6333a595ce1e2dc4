import { hash, verify } from '@node-rs/argon2'

// OWASP's argon2id settings, passed explicitly so a library default can never weaken them.
// `algorithm: 2` is Algorithm.Argon2id (a const enum that isolated modules cannot import).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const

/**
 * argon2 runs on libuv's threadpool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
 * every request's token check shares (jose uses WebCrypto, which runs there too). A login storm
 * let straight through fills the pool and every other request waits seconds behind it (measured:
 * 200 logins at once held GET /rooms for ~10 s). So at most half the pool hashes at a time; the
 * rest of a storm queues here, in order.
 */
const MAX_CONCURRENT_HASHES = Math.max(1, Math.floor((Number(process.env.UV_THREADPOOL_SIZE) || 4) / 2))
let hashing = 0
const waiting: Array<() => void> = []

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (hashing < MAX_CONCURRENT_HASHES) hashing++
  else await new Promise<void>(resolve => waiting.push(resolve))
  try {
    return await work()
  }
  finally {
    // Hand the slot straight to the next in line, or give it back.
    const next = waiting.shift()
    if (next) next()
    else hashing--
  }
}

export const hashPassword = (password: string) => withHashSlot(() => hash(password, ARGON2_OPTIONS))

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await withHashSlot(() => verify(passwordHash, password))
  }
  catch {
    return false
  }
}

let dummyHash: Promise<string> | undefined
/** Burns the same time as a real check, so login does not reveal whether an email exists. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('not-a-real-password-but-same-cost')
  await verifyPassword(await dummyHash, password)
  return false
}
