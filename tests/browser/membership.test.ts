/**
 * Live membership and notifications: removal and leaving by role, browser notifications for rooms
 * not in view (asked politely, off when denied).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { api, registerUser } from '../helpers/api'
import { launch, logIn, openUser, type Watched } from './helpers'

let browser: Browser
beforeAll(async () => { browser = await launch() })
afterAll(async () => { await browser?.close() })

/** Replaces window.Notification with a recorder whose permission answer we choose. */
async function stubNotifications(w: Watched, answer: NotificationPermission) {
  await w.context.addInitScript((ans) => {
    const shown: { title: string, body: string }[] = []
    class FakeNotification {
      static permission: NotificationPermission = 'default'
      static async requestPermission() {
        FakeNotification.permission = ans
        return ans
      }

      onclick: (() => void) | null = null
      constructor(title: string, options: { body?: string } = {}) { shown.push({ title, body: options.body ?? '' }) }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true })
    Object.defineProperty(window, '__shown', { value: shown })
  }, answer)
}

const shown = (page: Page) => page.evaluate(() => (window as unknown as { __shown: { title: string, body: string }[] }).__shown)

describe('notifications', () => {
  it('asked from a button; then shown for rooms not in view only', async () => {
    const sender = await registerUser()
    const reader = await registerUser()
    const quiet = await api('POST', '/rooms', { token: sender.token, body: { name: 'Quiet room', member_ids: [reader.user.id] } })
    const open = await api('POST', '/rooms', { token: sender.token, body: { name: 'Open room', member_ids: [reader.user.id] } })
    const w = await openUser(browser)
    await stubNotifications(w, 'granted')
    await logIn(w.page, reader)
    await w.page.getByRole('button', { name: 'Enable notifications' }).click()
    await w.page.getByRole('button', { name: 'Enable notifications' }).waitFor({ state: 'detached' })
    await w.page.locator(`[data-room-id="${open.body.id}"]`).click()
    await w.page.getByTestId('room-title').filter({ hasText: 'Open room' }).waitFor()

    await api('POST', `/rooms/${open.body.id}/messages`, { token: sender.token, body: { content: 'seen in place' } })
    await w.page.getByTestId('message-body').filter({ hasText: 'seen in place' }).waitFor()
    await api('POST', `/rooms/${quiet.body.id}/messages`, { token: sender.token, body: { content: 'elsewhere' } })
    await expect.poll(() => shown(w.page)).toEqual([{ title: 'New message in Quiet room', body: `${sender.user.username}: elsewhere` }])
    await w.context.close()
  })

  it('off when the browser denies permission', async () => {
    const sender = await registerUser()
    const reader = await registerUser()
    const room = await api('POST', '/rooms', { token: sender.token, body: { name: 'Denied', member_ids: [reader.user.id] } })
    const w = await openUser(browser)
    await stubNotifications(w, 'denied')
    await logIn(w.page, reader)
    await w.page.getByRole('button', { name: 'Enable notifications' }).click()
    await w.page.getByRole('button', { name: 'Enable notifications' }).waitFor({ state: 'detached' })
    await api('POST', `/rooms/${room.body.id}/messages`, { token: sender.token, body: { content: 'no popup' } })
    await w.page.getByTestId('room-item').filter({ hasText: 'no popup' }).waitFor()
    expect(await shown(w.page)).toEqual([])
    await w.context.close()
  })
})

describe('membership by role', () => {
  it('the owner removes a member, who sees the room go live; another member leaves', async () => {
    const owner = await registerUser()
    const kicked = await registerUser()
    const leaver = await registerUser()
    const room = await api('POST', '/rooms', { token: owner.token, body: { name: 'Roles', member_ids: [kicked.user.id, leaver.user.id] } })
    const o = await openUser(browser)
    const k = await openUser(browser)
    const l = await openUser(browser)
    await Promise.all([logIn(o.page, owner), logIn(k.page, kicked), logIn(l.page, leaver)])
    for (const w of [o, k, l]) await w.page.locator(`[data-room-id="${room.body.id}"]`).click()

    // A plain member sees no remove buttons and no rename.
    await l.page.getByTestId('toggle-members').click()
    await l.page.getByTestId('member').nth(2).waitFor()
    expect(await l.page.getByRole('button', { name: /^Remove / }).count()).toBe(0)
    expect(await l.page.getByTestId('rename').count()).toBe(0)
    expect(await l.page.getByTestId('delete-room').count()).toBe(0)

    await o.page.getByTestId('toggle-members').click()
    o.page.once('dialog', d => void d.accept())
    await o.page.getByRole('button', { name: `Remove ${kicked.user.username}` }).click()
    await k.page.getByTestId('toast').filter({ hasText: 'You are no longer in Roles' }).waitFor()
    await k.page.waitForURL(u => u.pathname === '/')
    expect(await k.page.locator(`[data-room-id="${room.body.id}"]`).count()).toBe(0)
    await o.page.locator(`[data-testid="member"][data-user="${kicked.user.username}"]`).waitFor({ state: 'detached' })

    l.page.once('dialog', d => void d.accept())
    await l.page.getByTestId('leave').click()
    await l.page.waitForURL(u => u.pathname === '/')
    await o.page.locator(`[data-testid="member"][data-user="${leaver.user.username}"]`).waitFor({ state: 'detached' })
    await o.page.getByTestId('room-subtitle').filter({ hasText: '1 member' }).waitFor()
    // The owner deletes the room; it disappears for everyone, live.
    await api('POST', `/rooms/${room.body.id}/members`, { token: owner.token, body: { user_id: kicked.user.id } })
    await k.page.locator(`[data-room-id="${room.body.id}"]`).waitFor()
    o.page.once('dialog', d => void d.accept())
    await o.page.getByTestId('delete-room').click()
    await o.page.waitForURL(u => u.pathname === '/')
    await k.page.getByTestId('toast').filter({ hasText: 'Roles was deleted' }).waitFor()
    await k.page.locator(`[data-room-id="${room.body.id}"]`).waitFor({ state: 'detached' })
    for (const w of [o, k, l]) expect(w.problems).toEqual([])
    for (const w of [o, k, l]) await w.context.close()
  })
})
