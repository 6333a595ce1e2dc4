import { describe, expect, it } from 'vitest'
import { IdSet } from '../../server/realtime/id-set'

describe('IdSet (a socket\'s room ids)', () => {
  it('adds each id once, forgets deleted ids and says what it holds', () => {
    const rooms = new IdSet([3, 7])
    rooms.add(7)
    rooms.add(9)
    expect([...rooms]).toEqual([3, 7, 9])
    expect(rooms.size).toBe(3)
    expect(rooms.has(7)).toBe(true)
    expect(rooms.delete(7)).toBe(true)
    expect(rooms.delete(7)).toBe(false)
    expect(rooms.has(7)).toBe(false)
    expect([...rooms]).toEqual([3, 9])
    rooms.delete(3)
    rooms.delete(9)
    expect(rooms.size).toBe(0)
    expect([...rooms]).toEqual([])
  })

  it('does not share state with the array it was made from, and a loop over it is not disturbed by changes', () => {
    const ids = [1, 2, 3]
    const rooms = new IdSet(ids)
    ids.push(4)
    expect(rooms.has(4)).toBe(false)
    const seen: number[] = []
    for (const id of rooms) {
      seen.push(id)
      rooms.delete(id)
      rooms.add(id + 10)
    }
    expect(seen).toEqual([1, 2, 3])
    expect([...rooms]).toEqual([11, 12, 13])
  })

  it('empty sets made apart stay apart', () => {
    const a = new IdSet()
    const b = new IdSet()
    a.add(1)
    expect(b.has(1)).toBe(false)
    expect(b.size).toBe(0)
  })
})
