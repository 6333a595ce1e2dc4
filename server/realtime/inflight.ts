/** Writes started by sockets that have not finished yet, so a graceful stop can wait for them. */
const pending = new Set<Promise<unknown>>()

export function track<T>(work: Promise<T>): Promise<T> {
  pending.add(work)
  work.finally(() => pending.delete(work)).catch(() => undefined)
  return work
}

export async function drainInflight(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (pending.size && Date.now() < deadline) {
    await Promise.race([Promise.allSettled([...pending]), new Promise(r => setTimeout(r, 100))])
  }
}
