/**
 * The main screens at desktop and phone sizes, light and dark, English and Korean: layout checks
 * (nothing wider than the screen at 360 px, every control labelled), unread badges and tab title,
 * and the screenshots in docs/screenshots (written when UPDATE_SCREENSHOTS=1, else to a temp dir).
 */
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { api, registerUser, type TestUser } from '../helpers/api'
import { ROOT } from '../helpers/server'
import { gotoReady, launch, openUser } from './helpers'

const OUT = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : join(tmpdir(), 'mm-screens')
mkdirSync(OUT, { recursive: true })

let browser: Browser
let me: TestUser
let friends: TestUser[]
let teamRoom = 0

async function say(user: TestUser, roomId: number, content: string) {
  const res = await api('POST', `/rooms/${roomId}/messages`, { token: user.token, body: { content } })
  expect(res.status).toBe(201)
}

beforeAll(async () => {
  browser = await launch()
  me = await registerUser({ username: 'minji' })
  friends = await Promise.all(['daniel', 'sora', '준호'].map(username => registerUser({ username })))
  const [daniel, sora, junho] = friends as [TestUser, TestUser, TestUser]
  const team = await api('POST', '/rooms', { token: daniel.token, body: { name: 'Design team', description: 'Weekly design sync', member_ids: [me.user.id, sora.user.id, junho.user.id] } })
  teamRoom = team.body.id
  await say(daniel, teamRoom, 'Morning! The new onboarding mockups are up: https://example.com/mockups')
  await say(sora, teamRoom, 'Looks great! I left a few comments on the second screen.')
  await say(sora, teamRoom, 'Can we keep the dark theme contrast above 4.5:1?')
  await say(me, teamRoom, 'Yes — I checked it with the contrast tool, all text passes.')
  await say(junho, teamRoom, '좋아요! 한국어 문구도 검토해 볼게요.')
  await say(daniel, teamRoom, 'Thanks all. Let us ship it on Friday.')
  const dm = await api('POST', '/rooms', { token: sora.token, body: { room_type: 'private', member_ids: [me.user.id] } })
  await say(sora, dm.body.id, 'Lunch at 12:30?')
  const book = await api('POST', '/rooms', { token: junho.token, body: { name: '독서 모임', member_ids: [me.user.id] } })
  await say(junho, book.body.id, '이번 주에는 3장까지 읽어 오세요.')
  await say(junho, book.body.id, '모임은 목요일 저녁 7시입니다.')
})
afterAll(async () => { await browser?.close() })

async function logIn(page: Page) {
  await gotoReady(page, '/login')
  await page.locator('input[name="email"]').fill(me.user.email)
  await page.locator('input[name="password"]').fill(me.password)
  await page.locator('button[type="submit"]').click()
  await page.getByTestId('room-item').first().waitFor()
}

async function assertFits(page: Page, width: number) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(overflow).toBeLessThanOrEqual(width)
}

/** Every button, link, input and select has an accessible name. */
async function assertLabelled(page: Page) {
  const unlabelled = await page.evaluate(() => {
    const bad: string[] = []
    for (const el of document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea')) {
      if (el.closest('[hidden]') || el.offsetParent === null) continue
      const id = el.getAttribute('id')
      const label = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (id && document.querySelector(`label[for="${id}"]`)) || el.textContent?.trim()
      if (!label) bad.push(el.outerHTML.slice(0, 80))
    }
    return bad
  })
  expect(unlabelled).toEqual([])
}

describe('screens', () => {
  it('desktop, light: unread badges and tab title, then the open conversation', async () => {
    const { page, context, problems } = await openUser(browser, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' })
    await logIn(page)
    await page.getByTestId('unread-badge').first().waitFor()
    await expect.poll(() => page.title()).toMatch(/^\(\d+\) Mmessenger$/)
    // Sorted by activity: the book club spoke last.
    expect(await page.getByTestId('room-name').first().innerText()).toBe('독서 모임')
    // The filter box narrows the list, and says so when nothing matches.
    await page.getByTestId('room-filter').fill('design')
    await expect.poll(() => page.getByTestId('room-name').allInnerTexts()).toEqual(['Design team'])
    await page.getByTestId('room-filter').fill('zzz')
    await page.getByText('No chats match.').waitFor()
    await page.getByTestId('room-filter').fill('')
    await page.locator(`[data-room-id="${teamRoom}"]`).click()
    await page.getByTestId('unread-divider').waitFor()
    await page.getByTestId('toggle-members').click()
    await page.getByTestId('member').first().waitFor()
    await page.getByTestId('composer').fill('Friday works for me')
    await assertLabelled(page)
    await page.screenshot({ path: join(OUT, 'desktop-light.png') })
    // Keyboard: Tab reaches the composer with a visible focus ring.
    await page.getByTestId('composer').focus()
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle !== 'none' || document.activeElement!.matches(':focus-visible'))).toBe(true)
    expect(problems).toEqual([])
    await context.close()
  })

  it('desktop, dark', async () => {
    const { page, context } = await openUser(browser, { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
    await logIn(page)
    await page.locator(`[data-room-id="${teamRoom}"]`).click()
    await page.getByTestId('message-body').filter({ hasText: 'ship it' }).waitFor()
    const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.chat')!).backgroundColor)
    expect(bg).not.toBe('rgb(255, 255, 255)')
    await page.screenshot({ path: join(OUT, 'desktop-dark.png') })
    await context.close()
  })

  it('phone, 360 px: the list, then the conversation, nothing wider than the screen', async () => {
    const { page, context } = await openUser(browser, { viewport: { width: 360, height: 740 }, colorScheme: 'light', isMobile: true, hasTouch: true })
    await logIn(page)
    await assertFits(page, 360)
    await page.screenshot({ path: join(OUT, 'mobile-list.png') })
    await page.locator(`[data-room-id="${teamRoom}"]`).click()
    await page.getByTestId('message-body').filter({ hasText: 'ship it' }).waitFor()
    await assertFits(page, 360)
    expect(await page.getByTestId('room-item').first().isVisible()).toBe(false)
    await page.screenshot({ path: join(OUT, 'mobile-conversation.png') })
    await page.getByRole('link', { name: 'Back to chats' }).click()
    await page.getByTestId('room-item').first().waitFor()
    await context.close()
  })

  it('Korean', async () => {
    const { page, context, problems } = await openUser(browser, { viewport: { width: 1280, height: 800 }, locale: 'ko-KR', colorScheme: 'light' })
    await logIn(page)
    await page.getByRole('heading', { name: '채팅' }).waitFor()
    await page.getByTestId('room-item').filter({ hasText: '독서 모임' }).click()
    await page.getByTestId('message-body').filter({ hasText: '목요일' }).waitFor()
    await page.getByTestId('composer').fill('네, 목요일에 봬요!')
    expect(await page.getAttribute('html', 'lang')).toBe('ko')
    await page.screenshot({ path: join(OUT, 'korean.png') })
    expect(problems).toEqual([])
    await context.close()
  })
})
