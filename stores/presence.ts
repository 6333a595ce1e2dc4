/** Live presence by user id; falls back to the status carried by the user object itself. */
import { defineStore } from 'pinia'
import type { PublicUser, UserStatus } from '~/shared/protocol/objects'

export interface PresenceEntry { status: UserStatus, last_seen_at: string | null }

export const usePresenceStore = defineStore('presence', () => {
  const byUser = ref<Record<number, PresenceEntry>>({})

  function set(userId: number, entry: PresenceEntry) {
    byUser.value[userId] = entry
  }

  /** Remembers what a fresh user object says, unless a live update is already known. */
  function seed(user: PublicUser | null | undefined) {
    if (user && !byUser.value[user.id]) byUser.value[user.id] = { status: user.status, last_seen_at: user.last_seen_at }
  }

  function of(user: PublicUser | null | undefined): PresenceEntry {
    if (!user) return { status: 'offline', last_seen_at: null }
    return byUser.value[user.id] ?? { status: user.status, last_seen_at: user.last_seen_at }
  }

  function reset() {
    byUser.value = {}
  }

  return { byUser, set, seed, of, reset }
})
