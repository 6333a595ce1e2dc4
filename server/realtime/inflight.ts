/** Writes started by sockets that have not finished yet, so a graceful stop can wait for them. */
const pending = new Set<Promise<unknown>>()

export function track<T>(work: Promise<T>): Promise<T> {
  pending.add(work)
  // One reaction for both outcomes; the caller handles the rejection itself.
  const done = () => {
    pending.delete(work)
  }
  work.then(done, done)
  return work
}

export async function drainInflight(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (pending.size && Date.now() < deadline) {
    await Promise.race([Promise.allSettled([...pending]), new Promise(r => setTimeout(r, 100))])
  }
}
