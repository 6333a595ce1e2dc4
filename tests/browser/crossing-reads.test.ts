/**
 * REST reads and live frames that cross: a list is read by the server before a change, but
 * reaches the page after that change's live frame. The older copy must not undo what the page
 * already shows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page, Route } from 'playwright-core'
import { api, registerUser } from '../helpers/api'
import { launch, openOnline } from './helpers'

let browser: Browser
beforeAll(async () => { browser = await launch() })
afterAll(async () => { await browser?.close() })

/**
 * Holds the next GET answer for `url`: the server reads it at once, the page gets it on `release()`.
 * Later requests pass.
 */
async function holdNextAnswer(page: Page, url: string) {
  let listRead!: () => void
  const read = new Promise<void>((resolve) => { listRead = resolve })
  let release!: () => void
  const released = new Promise<void>((resolve) => { release = resolve })
  let held = false
  await page.route(url, async (route: Route) => {
    if (route.request().method() !== 'GET' || held) return route.continue()
    held = true
    const response = await route.fetch()
    listRead()
    await released
    await route.fulfill({ response })
  })
  const path = new URL(url, 'http://x').pathname
  const answered = () => page.waitForEvent('requestfinished', r => r.method() === 'GET' && new URL(r.url()).pathname === path)
  return { read, release, answered }
}

it('a room list answered after a live message keeps its preview and unread badge', async () => {
  const sender = await registerUser()
  const reader = await registerUser()
  const room = await api('POST', '/rooms', { token: sender.token, body: { name: 'Crossing', member_ids: [reader.user.id] } })
  const w = await openOnline(browser, reader)

  const list = await holdNextAnswer(w.page, '/api/v1/rooms')
  // Every reconnect re-reads the room list.
  await w.context.setOffline(true)
  await w.context.setOffline(false)
  await list.read

  await api('POST', `/rooms/${room.body.id}/messages`, { token: sender.token, body: { content: 'crossed the list' } })
  const item = w.page.locator(`[data-room-id="${room.body.id}"]`)
  await item.filter({ hasText: 'crossed the list' }).waitFor()
  await item.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor()

  const answered = list.answered()
  list.release()
  await answered
  // The page applies the answer a few tasks after it arrives.
  await w.page.waitForTimeout(300)
  expect(await item.innerText()).toContain('crossed the list')
  expect(await item.getByTestId('unread-badge').innerText()).toMatch(/^1\b/)
  await w.context.close()
})

it('a member list answered after a live member_added still shows the new member', async () => {
  const owner = await registerUser()
  const peer = await registerUser()
  const newcomer = await registerUser()
  const room = await api('POST', '/rooms', { token: owner.token, body: { name: 'Growing', member_ids: [peer.user.id] } })
  const w = await openOnline(browser, owner)
  await w.page.locator(`[data-room-id="${room.body.id}"]`).click()
  await w.page.getByTestId('room-title').filter({ hasText: 'Growing' }).waitFor()
  const member = (name: string) => w.page.locator(`[data-testid="member"][data-user="${name}"]`)

  // Opening the panel reads the member list again; that answer is held back.
  const list = await holdNextAnswer(w.page, `/api/v1/rooms/${room.body.id}/members`)
  await w.page.getByTestId('toggle-members').click()
  await list.read
  await member(peer.user.username).waitFor()
  expect((await api('POST', `/rooms/${room.body.id}/members`, { token: owner.token, body: { user_id: newcomer.user.id } })).status).toBe(201)
  await member(newcomer.user.username).waitFor()

  const answered = list.answered()
  list.release()
  await answered
  await w.page.waitForTimeout(300)
  expect(await member(newcomer.user.username).count()).toBe(1)
  expect(await member(peer.user.username).count()).toBe(1)
  await w.context.close()
})
