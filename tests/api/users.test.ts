import { describe, expect, it } from 'vitest'
import type { PublicUser } from '../../shared/protocol/objects'
import { api, registerUser, uniqueName } from '../helpers/api'

describe('user search', () => {
  it('finds usernames by prefix and by contained text, Hangul included, prefix matches first, never with emails', async () => {
    const tag = uniqueName('').slice(-6)
    const [me, prefixed, contains, other] = await Promise.all([
      registerUser({ username: `검색${tag}` }),
      registerUser({ username: `김검색${tag}` }),
      registerUser({ username: `x_검색${tag}_y` }),
      registerUser({ username: `박${tag}` }),
    ])
    const found = await api<PublicUser[]>('GET', `/users?q=${encodeURIComponent(`검색${tag}`)}`, { token: other.token })
    expect(found.status).toBe(200)
    expect(found.body.map(u => u.id)).toEqual([me.user.id, prefixed.user.id, contains.user.id])
    const byPrefix = await api<PublicUser[]>('GET', `/users?q=${encodeURIComponent('김검')}`, { token: other.token })
    expect(byPrefix.body.map(u => u.id)).toContain(prefixed.user.id)
    const self = await api<PublicUser[]>('GET', `/users?q=${encodeURIComponent(`검색${tag}`)}`, { token: me.token })
    expect(self.body.map(u => u.id)).not.toContain(me.user.id)
    const text = JSON.stringify(found.body)
    expect(text).not.toContain('@')
    expect(found.body[0]).toEqual({ id: me.user.id, username: me.user.username, avatar_url: null, status: 'offline', last_seen_at: expect.any(String), created_at: expect.any(String) })
    // LIKE wildcards are plain text.
    expect((await api<PublicUser[]>('GET', `/users?q=${encodeURIComponent('%')}`, { token: me.token })).body).toEqual([])
  })

  it('caps results at 20 and validates the query', async () => {
    const tag = `cap${uniqueName('').slice(-6)}`
    await Promise.all(Array.from({ length: 22 }, (_, i) => registerUser({ username: `${tag}_${i}` })))
    const me = await registerUser()
    expect((await api<PublicUser[]>('GET', `/users?q=${tag}`, { token: me.token })).body).toHaveLength(20)
    expect((await api<PublicUser[]>('GET', `/users?q=${tag}&limit=3`, { token: me.token })).body).toHaveLength(3)
    for (const query of ['', 'q=', 'q=a&limit=21', 'q=a&limit=0', `q=${'a'.repeat(33)}`]) {
      const res = await api('GET', `/users?${query}`, { token: me.token })
      expect(res.status, query).toBe(400)
      expect(res.body.code).toBe('VALIDATION_FAILED')
    }
  })

  it('shows a public profile by id', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const res = await api<PublicUser>('GET', `/users/${b.user.id}`, { token: a.token })
    expect(res.status).toBe(200)
    expect(res.body.username).toBe(b.user.username)
    expect(res.body).not.toHaveProperty('email')
    expect((await api('GET', '/users/999999999', { token: a.token })).status).toBe(404)
    expect((await api('GET', '/users/abc', { token: a.token })).status).toBe(400)
  })
})
