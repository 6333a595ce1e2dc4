/** Reactive face of utils/outbox for the signed-in user (persisted in localStorage across reloads). */
import { defineStore } from 'pinia'
import { Outbox, localOutboxStorage, memoryOutboxStorage, type OutboxItem } from '~/utils/outbox'

export const useOutboxStore = defineStore('outbox', () => {
  let box = new Outbox(memoryOutboxStorage())
  const items = ref<OutboxItem[]>([])

  function sync() {
    items.value = box.all()
  }

  function init(userId: number) {
    box = new Outbox(import.meta.client ? localOutboxStorage(userId) : memoryOutboxStorage())
    sync()
  }

  function forRoom(roomId: number) {
    return items.value.filter(i => i.room_id === roomId)
  }

  function run<T>(fn: (b: Outbox) => T): T {
    const out = fn(box)
    sync()
    return out
  }

  return {
    items,
    init,
    forRoom,
    add: (roomId: number, content: string) => run(b => b.add(roomId, content)),
    takeSendable: () => run(b => b.takeSendable()),
    requeueInFlight: () => run(b => b.requeueInFlight()),
    confirm: (id: string | null | undefined) => run(b => b.confirm(id)),
    fail: (id: string, error: string) => run(b => b.fail(id, error)),
    retry: (id: string) => run(b => b.retry(id)),
    discard: (id: string) => run(b => b.discard(id)),
    dropRoom: (roomId: number) => run(b => b.dropRoom(roomId)),
    /** Forget this tab's copy (the persisted one stays for the next login of the same user). */
    reset: () => {
      box = new Outbox(memoryOutboxStorage())
      sync()
    },
    /** Logging out on purpose: unsent bodies leave the device too (shared computers). */
    discardAll: () => {
      box.clearAll()
      box = new Outbox(memoryOutboxStorage())
      sync()
    },
  }
})
