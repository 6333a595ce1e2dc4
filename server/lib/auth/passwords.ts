import { hash, verify } from '@node-rs/argon2'

// OWASP's argon2id settings, passed explicitly so a library default can never weaken them.
// `algorithm: 2` is Algorithm.Argon2id (a const enum that isolated modules cannot import).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS)

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
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
