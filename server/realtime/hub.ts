/**
 * This instance's registry of open sockets: by user, by session, by room membership and by room
 * viewing. Fan-out walks only the sockets of one room (crossws' own publish visits every socket).
 */
import type { Connection } from './connection'

// A user's or a session's sockets are one or two, so a small array (56 bytes for one socket)
// rather than a Set (152 bytes even when empty), replaced on every change: a loop over a list
// that changes meanwhile goes on over the old one, as it safely did over a Set.
const byUser = new Map<number, readonly Connection[]>()
const bySession = new Map<number, readonly Connection[]>()
const byRoom = new Map<number, Set<Connection>>()
const viewersByRoom = new Map<number, Set<Connection>>()
const byIp = new Map<string, number>()

function addTo<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection) {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(conn)
}

function removeFrom<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection) {
  const set = map.get(key)
  if (!set) return
  set.delete(conn)
  if (!set.size) map.delete(key)
}

function addToList<K>(map: Map<K, readonly Connection[]>, key: K, conn: Connection) {
  const list = map.get(key)
  // concat and toSpliced allocate exactly the length; a spread reserves room to grow.
  if (!list) map.set(key, [conn])
  else if (!list.includes(conn)) map.set(key, list.concat(conn))
}

function removeFromList<K>(map: Map<K, readonly Connection[]>, key: K, conn: Connection) {
  const list = map.get(key)
  const i = list?.indexOf(conn) ?? -1
  if (!list || i < 0) return
  if (list.length === 1) map.delete(key)
  else map.set(key, list.toSpliced(i, 1))
}

export const hub = {
  register(conn: Connection): void {
    addToList(byUser, conn.userId, conn)
    addToList(bySession, conn.sessionId, conn)
    byIp.set(conn.ip, (byIp.get(conn.ip) ?? 0) + 1)
    for (const roomId of conn.memberRooms) addTo(byRoom, roomId, conn)
  },

  unregister(conn: Connection): void {
    removeFromList(byUser, conn.userId, conn)
    removeFromList(bySession, conn.sessionId, conn)
    const n = (byIp.get(conn.ip) ?? 1) - 1
    if (n > 0) byIp.set(conn.ip, n)
    else byIp.delete(conn.ip)
    for (const roomId of conn.memberRooms) removeFrom(byRoom, roomId, conn)
    for (const roomId of conn.viewing) removeFrom(viewersByRoom, roomId, conn)
  },

  socketsOfUser: (userId: number): readonly Connection[] => byUser.get(userId) ?? NONE,
  socketsOfSession: (sessionId: number): readonly Connection[] => bySession.get(sessionId) ?? NONE,
  socketsOfRoom: (roomId: number): ReadonlySet<Connection> => byRoom.get(roomId) ?? EMPTY,
  viewersOfRoom: (roomId: number): ReadonlySet<Connection> => viewersByRoom.get(roomId) ?? EMPTY,
  /** The sockets that are members of at least one of the rooms, each once. */
  membersOfRooms: (roomIds: readonly number[]): Iterable<Connection> => {
    if (roomIds.length === 1) return byRoom.get(roomIds[0]!) ?? EMPTY
    const all = new Set<Connection>()
    for (const roomId of roomIds) for (const conn of byRoom.get(roomId) ?? EMPTY) all.add(conn)
    return all
  },
  countForIp: (ip: string): number => byIp.get(ip) ?? 0,
  allSockets: function* (): Generator<Connection> {
    for (const list of byUser.values()) yield* list
  },

  /** The user became a member: their open sockets start hearing the room at once. */
  addMember(roomId: number, userId: number): void {
    for (const conn of byUser.get(userId) ?? NONE) {
      conn.memberRooms.add(roomId)
      addTo(byRoom, roomId, conn)
    }
  },

  /** The user left or was removed: their sockets stop hearing and viewing the room at once. */
  removeMember(roomId: number, userId: number): void {
    for (const conn of byUser.get(userId) ?? NONE) {
      conn.memberRooms.delete(roomId)
      removeFrom(byRoom, roomId, conn)
      conn.viewing.delete(roomId)
      removeFrom(viewersByRoom, roomId, conn)
    }
  },

  forgetRoom(roomId: number): void {
    for (const conn of byRoom.get(roomId) ?? EMPTY) {
      conn.memberRooms.delete(roomId)
      conn.viewing.delete(roomId)
    }
    byRoom.delete(roomId)
    viewersByRoom.delete(roomId)
  },

  view(conn: Connection, roomId: number): void {
    conn.viewing.add(roomId)
    addTo(viewersByRoom, roomId, conn)
  },

  unview(conn: Connection, roomId: number): void {
    conn.viewing.delete(roomId)
    removeFrom(viewersByRoom, roomId, conn)
  },

  /** True when some socket of the user on this instance views the room. */
  userViews(userId: number, roomId: number): boolean {
    for (const conn of byUser.get(userId) ?? NONE) if (conn.viewing.has(roomId)) return true
    return false
  },
}

const EMPTY: ReadonlySet<Connection> = new Set()
const NONE: readonly Connection[] = []
