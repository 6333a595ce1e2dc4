/** Each room's messages keyed by seq (see utils/message-log), plus history paging state. */
import { defineStore } from 'pinia'
import type { Message } from '~/shared/protocol/objects'
import { without } from '~/utils/display'
import { emptyLog, listMessages, markDeleted, upsertMessages, type MessageLog } from '~/utils/message-log'

export const useMessagesStore = defineStore('messages', () => {
  const logs = ref<Record<number, MessageLog>>({})
  /** True once the latest page was fetched: from then on, events are applied to this room's log. */
  const loaded = ref<Record<number, boolean>>({})
  const reachedStart = ref<Record<number, boolean>>({})

  function upsert(roomId: number, messages: Message[]) {
    logs.value[roomId] = upsertMessages(logs.value[roomId] ?? emptyLog(), messages)
  }

  function deleteById(roomId: number, id: number) {
    const log = logs.value[roomId]
    if (log) logs.value[roomId] = markDeleted(log, id)
  }

  function list(roomId: number): Message[] {
    const log = logs.value[roomId]
    return log ? listMessages(log) : []
  }

  function forget(roomId: number) {
    logs.value = without(logs.value, roomId)
    loaded.value = without(loaded.value, roomId)
    reachedStart.value = without(reachedStart.value, roomId)
  }

  function reset() {
    logs.value = {}
    loaded.value = {}
    reachedStart.value = {}
  }

  return { logs, loaded, reachedStart, upsert, deleteById, list, forget, reset }
})
