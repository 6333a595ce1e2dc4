import { describe, expect, it } from 'vitest'
import { Outbox, memoryOutboxStorage } from '../../../utils/outbox'

describe('outbox', () => {
  it('keeps a message pending until the server confirms its client_msg_id', () => {
    const box = new Outbox(memoryOutboxStorage())
    const item = box.add(7, 'hello')
    expect(item.client_msg_id).toMatch(/^web-/)
    expect(box.forRoom(7).map(i => i.state)).toEqual(['pending'])
    const sent = box.takeSendable()
    expect(sent.map(i => i.content)).toEqual(['hello'])
    expect(box.takeSendable()).toEqual([]) // in flight: not sent twice
    expect(box.confirm(item.client_msg_id)).toBe(true)
    expect(box.all()).toEqual([])
    expect(box.confirm(item.client_msg_id)).toBe(false) // a second copy (frame after ack) is a no-op
  })

  it('sends one message per room at a time, in the order written', () => {
    const box = new Outbox(memoryOutboxStorage())
    const a = box.add(1, 'a')
    const b = box.add(1, 'b')
    const c = box.add(2, 'c')
    expect(box.takeSendable().map(i => i.content)).toEqual(['a', 'c'])
    expect(box.takeSendable()).toEqual([])
    box.confirm(a.client_msg_id)
    expect(box.takeSendable().map(i => i.client_msg_id)).toEqual([b.client_msg_id])
    box.confirm(c.client_msg_id)
  })

  it('resends in-flight messages with the same id after the connection drops', () => {
    const box = new Outbox(memoryOutboxStorage())
    const a = box.add(1, 'a')
    box.add(1, 'b')
    box.takeSendable()
    box.requeueInFlight()
    expect(box.takeSendable().map(i => i.client_msg_id)).toEqual([a.client_msg_id])
  })

  it('survives a reload: persisted bodies come back as pending, in order', () => {
    const storage = memoryOutboxStorage()
    const first = new Outbox(storage)
    first.add(3, 'one')
    first.add(3, 'two')
    first.takeSendable() // the tab dies while one is in flight
    const reloaded = new Outbox(storage)
    expect(reloaded.all().map(i => [i.content, i.state])).toEqual([['one', 'pending'], ['two', 'pending']])
  })

  it('failed messages wait for an explicit retry', () => {
    const box = new Outbox(memoryOutboxStorage())
    const item = box.add(2, 'x')
    box.takeSendable()
    box.fail(item.client_msg_id, 'VALIDATION_FAILED')
    expect(box.takeSendable()).toEqual([])
    expect(box.all()[0]).toMatchObject({ state: 'failed', error: 'VALIDATION_FAILED' })
    box.retry(item.client_msg_id)
    expect(box.takeSendable().map(i => i.content)).toEqual(['x'])
  })

  it('two tabs sharing the storage do not erase each other\'s unsent messages', () => {
    const storage = memoryOutboxStorage()
    const tabA = new Outbox(storage)
    const tabB = new Outbox(storage)
    const a = tabA.add(1, 'from A')
    const b = tabB.add(1, 'from B')
    expect(storage.saved.map(i => i.content).sort()).toEqual(['from A', 'from B'])
    tabB.confirm(b.client_msg_id)
    expect(storage.saved.map(i => i.client_msg_id)).toEqual([a.client_msg_id])
    // A reload picks up whatever is still unsent, whichever tab wrote it.
    expect(new Outbox(storage).all().map(i => i.content)).toEqual(['from A'])
  })

  it('drops the messages of a room you left', () => {
    const box = new Outbox(memoryOutboxStorage())
    box.add(1, 'keep')
    box.add(2, 'drop')
    box.dropRoom(2)
    expect(box.all().map(i => i.content)).toEqual(['keep'])
  })
})
