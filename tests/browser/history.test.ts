/** Long history: infinite scroll upward without duplicates or gaps, and "jump to latest". */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { api, registerUser, type TestUser } from '../helpers/api'
import { gotoReady, launch, openUser } from './helpers'

let browser: Browser
let reader: TestUser
let roomId = 0
const TOTAL = 130

beforeAll(async () => {
  browser = await launch()
  const writer = await registerUser()
  reader = await registerUser()
  const room = await api('POST', '/rooms', { token: writer.token, body: { name: 'Long history', member_ids: [reader.user.id] } })
  roomId = room.body.id
  for (let i = 1; i <= TOTAL; i++) {
    const res = await api('POST', `/rooms/${roomId}/messages`, { token: writer.token, body: { content: `history ${i}` } })
    expect(res.status).toBe(201)
  }
})
afterAll(async () => { await browser?.close() })

it('scrolling up loads every older page once, in order; "jump to latest" comes back down', async () => {
  const { page, context, problems } = await openUser(browser, { viewport: { width: 1000, height: 700 } })
  await gotoReady(page, '/login')
  await page.locator('input[name="email"]').fill(reader.user.email)
  await page.locator('input[name="password"]').fill(reader.password)
  await page.locator('button[type="submit"]').click()
  await page.locator(`[data-room-id="${roomId}"]`).click()
  await page.getByTestId('message-body').filter({ hasText: `history ${TOTAL}` }).waitFor()
  expect(await page.getByTestId('message').count()).toBeLessThan(TOTAL)

  const list = page.getByTestId('message-list')
  for (let i = 0; i < 20 && await page.getByText('This is the beginning of the conversation.').count() === 0; i++) {
    await list.evaluate(el => el.scrollBy(0, -100_000))
    await page.waitForTimeout(250)
  }
  await page.getByText('This is the beginning of the conversation.').waitFor()
  const texts = await page.getByTestId('message-body').allInnerTexts()
  expect(texts).toEqual(Array.from({ length: TOTAL }, (_, i) => `history ${i + 1}`))
  const seqs = await page.getByTestId('message').evaluateAll(els => els.map(e => Number(e.getAttribute('data-seq'))))
  expect(new Set(seqs).size).toBe(TOTAL)
  expect(seqs).toEqual([...seqs].sort((x, y) => x - y))

  await page.getByTestId('jump-latest').click()
  // A smooth scroll over the whole history: give a busy machine time to finish it.
  await expect.poll(() => list.evaluate(el => Math.abs(el.scrollTop)), { timeout: 5000 }).toBeLessThan(40)
  await page.getByTestId('jump-latest').waitFor({ state: 'detached' })
  expect(problems).toEqual([])
  await context.close()
})
