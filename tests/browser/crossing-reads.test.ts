/**
 * A REST read and a live frame that cross: the room list is read by the server before a message,
 * but reaches the page after that message's live frame. The older copy must not undo what the
 * page already shows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { api, registerUser } from '../helpers/api'
import { launch, logIn, openUser, waitOnline } from './helpers'

let browser: Browser
beforeAll(async () => { browser = await launch() })
afterAll(async () => { await browser?.close() })

it('a room list answered after a live message keeps its preview and unread badge', async () => {
  const sender = await registerUser()
  const reader = await registerUser()
  const room = await api('POST', '/rooms', { token: sender.token, body: { name: 'Crossing', member_ids: [reader.user.id] } })
  const w = await openUser(browser)
  await logIn(w.page, reader)
  await waitOnline(w.page)

  // The next room list is read by the server now and handed to the page only when released.
  let listRead!: () => void
  const read = new Promise<void>((resolve) => { listRead = resolve })
  let release!: () => void
  const released = new Promise<void>((resolve) => { release = resolve })
  await w.page.route('**/api/v1/rooms', async (route) => {
    if (route.request().method() !== 'GET') return route.continue()
    const response = await route.fetch()
    listRead()
    await released
    await route.fulfill({ response })
  })
  // Every reconnect re-reads the room list.
  await w.context.setOffline(true)
  await w.context.setOffline(false)
  await read

  await api('POST', `/rooms/${room.body.id}/messages`, { token: sender.token, body: { content: 'crossed the list' } })
  const item = w.page.locator(`[data-room-id="${room.body.id}"]`)
  await item.filter({ hasText: 'crossed the list' }).waitFor()
  await item.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor()

  const answered = w.page.waitForEvent('requestfinished', r => r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/rooms')
  release()
  await answered
  // The page applies the answer a few tasks after it arrives.
  await w.page.waitForTimeout(300)
  expect(await item.innerText()).toContain('crossed the list')
  expect(await item.getByTestId('unread-badge').innerText()).toMatch(/^1\b/)
  await w.context.close()
})
