/**
 * Two people in two browser contexts, through the whole live flow: invitation, messages both ways,
 * typing, presence, reload, offline sending with exactly-once delivery, IME composition, XSS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { bodies, createRoom, gotoReady, launch, newPerson, openUser, sendText, signUp, waitOnline, type Watched } from './helpers'

let browser: Browser
let a: Watched
let b: Watched
const alice = newPerson('a')
const bob = newPerson('b')
const XSS_NAME = '<img src=x onerror="window.__xss=1">Team'
const XSS_TEXT = '<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> javascript:alert(1) https://example.com/x?y=1'
let roomId = 0

async function countOf(w: Watched, text: string): Promise<number> {
  return (await bodies(w.page)).filter(t => t === text).length
}

beforeAll(async () => {
  browser = await launch()
  a = await openUser(browser)
  b = await openUser(browser)
  await signUp(a.page, alice)
  await signUp(b.page, bob)
  await waitOnline(a.page)
  await waitOnline(b.page)
})
afterAll(async () => { await browser?.close() })

describe('two people chatting live', () => {
  it('A creates a room and invites B; B sees the invitation live', async () => {
    roomId = await createRoom(a.page, XSS_NAME)
    await a.page.getByTestId('room-title').filter({ hasText: XSS_NAME }).waitFor()
    await a.page.getByTestId('toggle-members').click()
    await a.page.getByTestId('invite').click()
    await a.page.getByTestId('user-search').fill(bob.username)
    await a.page.getByTestId('user-result').filter({ hasText: bob.username }).click()
    await a.page.getByTestId('member').filter({ hasText: bob.username }).waitFor()

    await b.page.getByTestId('toast').filter({ hasText: `${alice.username} added you to` }).waitFor()
    const item = b.page.locator(`[data-testid="room-item"][data-room-id="${roomId}"]`)
    await item.waitFor()
    // The room name is shown as text, never as markup.
    expect(await item.getByTestId('room-name').innerText()).toBe(XSS_NAME)
    await item.click()
    await b.page.getByTestId('room-title').filter({ hasText: XSS_NAME }).waitFor()
    await a.page.getByTestId('toggle-members').click()
  })

  it('they exchange messages both ways', async () => {
    await sendText(a.page, 'Hello Bob')
    await b.page.getByTestId('message-body').filter({ hasText: 'Hello Bob' }).waitFor()
    await sendText(b.page, 'Hi Alice 안녕하세요')
    await a.page.getByTestId('message-body').filter({ hasText: 'Hi Alice 안녕하세요' }).waitFor()
    expect(await countOf(a, 'Hello Bob')).toBe(1)
    expect(await countOf(b, 'Hi Alice 안녕하세요')).toBe(1)
    await expect.poll(() => a.page.getByTestId('pending-message').count()).toBe(0)
  })

  it('B sees A typing', async () => {
    await a.page.getByTestId('composer').pressSequentially('typing something', { delay: 10 })
    await b.page.getByTestId('typing').filter({ hasText: `${alice.username} is typing…` }).waitFor()
    await a.page.getByTestId('composer').fill('')
    await a.page.getByTestId('composer').blur()
    await expect.poll(() => b.page.getByTestId('typing').innerText(), { timeout: 10_000 }).toBe('')
  })

  it('Enter during an IME composition does not send; after it ends, it does', async () => {
    const composer = a.page.getByTestId('composer')
    await composer.focus()
    await composer.dispatchEvent('compositionstart', { data: '' })
    await composer.fill('한글 조합')
    await a.page.keyboard.press('Enter')
    await a.page.waitForTimeout(300)
    // Not sent (without a real IME the browser itself may add the newline; it is not ours to stop).
    expect((await composer.inputValue()).trim()).toBe('한글 조합')
    expect(await a.page.getByTestId('pending-message').count()).toBe(0)
    expect(await countOf(a, '한글 조합')).toBe(0)
    // A keydown flagged isComposing (what Chrome sends for the committing Enter) is ignored too.
    await composer.dispatchEvent('compositionend', { data: '합' })
    await composer.evaluate((el) => {
      el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', isComposing: true, bubbles: true, cancelable: true }))
    })
    await a.page.waitForTimeout(200)
    expect((await composer.inputValue()).trim()).toBe('한글 조합')
    await composer.fill('한글 조합')
    await composer.press('Enter')
    await b.page.getByTestId('message-body').filter({ hasText: '한글 조합' }).waitFor()
    expect(await composer.inputValue()).toBe('')
  })

  it('Shift+Enter breaks the line instead of sending', async () => {
    const composer = a.page.getByTestId('composer')
    await composer.fill('line one')
    await composer.press('Shift+Enter')
    await composer.pressSequentially('line two')
    expect(await composer.inputValue()).toBe('line one\nline two')
    await composer.press('Enter')
    await b.page.getByTestId('message-body').filter({ hasText: 'line two' }).waitFor()
    expect(await countOf(b, 'line one\nline two')).toBe(1)
  })

  it('an XSS payload in a message shows as text; only http(s) links are clickable, safely', async () => {
    await sendText(a.page, XSS_TEXT)
    const body = b.page.getByTestId('message-body').filter({ hasText: 'javascript:alert(1)' })
    await body.waitFor()
    expect(await body.innerText()).toBe(XSS_TEXT)
    expect(await body.locator('img, script').count()).toBe(0)
    const links = body.locator('a')
    expect(await links.count()).toBe(1)
    expect(await links.first().getAttribute('href')).toBe('https://example.com/x?y=1')
    expect(await links.first().getAttribute('rel')).toBe('noopener noreferrer')
    expect(await links.first().getAttribute('target')).toBe('_blank')
    for (const w of [a, b]) expect(await w.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined()
  })

  it('A edits and deletes a message; B sees "edited" and "deleted"', async () => {
    await sendText(a.page, 'to be edited')
    await b.page.getByTestId('message-body').filter({ hasText: 'to be edited' }).waitFor()
    const mine = a.page.getByTestId('message').filter({ hasText: 'to be edited' })
    await mine.hover()
    await mine.getByTestId('edit-message').click()
    await a.page.getByTestId('composer').fill('now edited')
    await a.page.getByTestId('composer').press('Enter')
    const edited = b.page.getByTestId('message').filter({ hasText: 'now edited' })
    await edited.getByTestId('edited').waitFor()

    a.page.once('dialog', d => void d.accept())
    const again = a.page.getByTestId('message').filter({ hasText: 'now edited' })
    await again.hover()
    await again.getByTestId('delete-message').click()
    await b.page.getByTestId('message-body').filter({ hasText: 'This message was deleted.' }).waitFor()
    expect(await countOf(b, 'now edited')).toBe(0)
  })

  it('a reload keeps the session and the history', async () => {
    await a.page.reload()
    await a.page.getByTestId('me').filter({ hasText: alice.username }).waitFor()
    await a.page.getByTestId('message-body').filter({ hasText: 'Hi Alice 안녕하세요' }).waitFor()
    expect(await countOf(a, 'Hello Bob')).toBe(1)
    await waitOnline(a.page)
  })

  it('A goes offline, sends two messages, comes back: B receives each exactly once', async () => {
    await a.context.setOffline(true)
    await a.page.getByTestId('conn-offline').waitFor()
    await sendText(a.page, 'offline one')
    await sendText(a.page, 'offline two')
    await expect.poll(() => a.page.getByTestId('pending-message').count()).toBe(2)
    await b.page.waitForTimeout(500)
    expect(await countOf(b, 'offline one')).toBe(0)
    // Meanwhile B writes: A must catch up on it after reconnecting (events after its last seq).
    await sendText(b.page, 'while you were away')
    await b.page.getByTestId('message-body').filter({ hasText: 'while you were away' }).waitFor()
    await a.page.waitForTimeout(300)
    expect(await countOf(a, 'while you were away')).toBe(0)

    await a.context.setOffline(false)
    await a.page.getByTestId('message-body').filter({ hasText: 'while you were away' }).waitFor({ timeout: 30_000 })
    await b.page.getByTestId('message-body').filter({ hasText: 'offline two' }).waitFor({ timeout: 30_000 })
    await expect.poll(() => a.page.getByTestId('pending-message').count(), { timeout: 15_000 }).toBe(0)
    await b.page.waitForTimeout(1000) // any duplicate would have arrived by now
    expect(await countOf(b, 'offline one')).toBe(1)
    expect(await countOf(b, 'offline two')).toBe(1)
    expect(await countOf(a, 'offline one')).toBe(1)
    expect(await countOf(a, 'while you were away')).toBe(1)
    const order = (await bodies(b.page)).filter(t => t.startsWith('offline'))
    expect(order).toEqual(['offline one', 'offline two'])
  })

  it('a message written offline survives a reload and is delivered once', async () => {
    await a.context.setOffline(true)
    await a.page.getByTestId('conn-offline').waitFor()
    await sendText(a.page, 'survives reload')
    await a.page.getByTestId('pending-message').waitFor()
    await a.context.setOffline(false)
    await a.page.reload()
    await b.page.getByTestId('message-body').filter({ hasText: 'survives reload' }).waitFor({ timeout: 30_000 })
    await b.page.waitForTimeout(800)
    expect(await countOf(b, 'survives reload')).toBe(1)
  })

  it('A renames the room; B sees the new name live', async () => {
    await a.page.getByTestId('toggle-members').click()
    await a.page.getByTestId('rename').click()
    await a.page.getByTestId('rename-input').fill('Renamed team')
    await a.page.getByTestId('rename-submit').click()
    await b.page.getByTestId('room-title').filter({ hasText: 'Renamed team' }).waitFor()
    await b.page.locator(`[data-room-id="${roomId}"]`).getByTestId('room-name').filter({ hasText: 'Renamed team' }).waitFor()
    await a.page.getByTestId('toggle-members').click()
  })

  it('B starts a direct chat with A from the people search; A gets it live with an unread badge', async () => {
    await b.page.getByTestId('new-direct').click()
    await b.page.getByTestId('user-search').fill(alice.username.slice(0, 6))
    await b.page.getByTestId('user-result').filter({ hasText: alice.username }).click()
    await b.page.waitForURL(/\/rooms\/\d+$/)
    await b.page.getByTestId('room-title').filter({ hasText: alice.username }).waitFor()
    await sendText(b.page, 'a private hello')
    const dm = a.page.getByTestId('room-item').filter({ hasText: bob.username })
    await dm.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor()
    expect(await dm.innerText()).toContain('a private hello')
    // The direct room shows the peer's presence dot.
    await dm.getByRole('img', { name: 'Online' }).waitFor()
    await expect.poll(() => a.page.title()).toMatch(/^\(1\) /)
    // B goes back to the group room for the presence test below.
    await b.page.locator(`[data-room-id="${roomId}"]`).click()
  })

  it('A sees B online, then offline after B closes the tab', async () => {
    await a.page.getByTestId('toggle-members').click()
    const member = a.page.locator(`[data-testid="member"][data-user="${bob.username}"]`)
    await member.and(a.page.locator('[data-status="online"]')).waitFor()
    await b.context.close()
    await member.and(a.page.locator('[data-status="offline"]')).waitFor({ timeout: 20_000 })
    expect(await member.getByTestId('member-status').innerText()).toMatch(/Last seen|Offline/)
  })

  it('nothing went wrong on the way: no console errors, CSP violations or external requests', () => {
    const relevant = (p: string) => !p.includes('ERR_INTERNET_DISCONNECTED') && !p.includes('net::ERR')
    expect(a.problems.filter(relevant)).toEqual([])
    expect(b.problems.filter(relevant)).toEqual([])
  })
})

describe('a room opened by URL', () => {
  it('a room you are not in shows "not found"', async () => {
    const c = await openUser(browser)
    await signUp(c.page, newPerson('c'))
    await gotoReady(c.page, `/rooms/${roomId}`)
    await c.page.getByText('This chat does not exist or you are not a member.').waitFor()
    await c.context.close()
  })
})
