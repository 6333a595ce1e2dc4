/**
 * A socket's set of room ids: the rooms it hears, the rooms it views. Most sockets are in a few
 * rooms, and a `Set` keeps a hash table of about 180 bytes even for one id, on every idle socket
 * (issue #6 holds idle memory per socket to 1.5x a bare `ws` server's); an array of exactly the
 * right length costs 24 bytes plus 8 per id. Changes (membership events, join and leave) are rare
 * and replace the array, so a loop over the set that is running meanwhile goes on over the old
 * one, as it safely did over a `Set`. `has` scans: cheap at the sizes a user has, once per frame.
 */
const NO_IDS: readonly number[] = []

export class IdSet implements Iterable<number> {
  #ids: readonly number[]

  constructor(ids: readonly number[] = NO_IDS) {
    // slice() allocates exactly the length; the caller's array may have room to grow.
    this.#ids = ids.length ? ids.slice() : NO_IDS
  }

  get size(): number {
    return this.#ids.length
  }

  has(id: number): boolean {
    return this.#ids.includes(id)
  }

  add(id: number): void {
    if (!this.#ids.includes(id)) this.#ids = this.#ids.concat(id)
  }

  delete(id: number): boolean {
    const i = this.#ids.indexOf(id)
    if (i < 0) return false
    this.#ids = this.#ids.length === 1 ? NO_IDS : this.#ids.toSpliced(i, 1)
    return true
  }

  [Symbol.iterator](): Iterator<number> {
    return this.#ids[Symbol.iterator]()
  }
}
