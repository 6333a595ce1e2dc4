/**
 * Browser flows on Debian Chromium through playwright-core. Every page records console errors,
 * hydration warnings, CSP violations and any request that leaves the test server, and a test can
 * assert that none happened.
 */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { inject } from 'vitest'
import { uniqueName, type TestUser } from '../helpers/api'

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export function baseURL(): string {
  return inject('baseURL')
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

export interface Watched {
  page: Page
  context: BrowserContext
  problems: string[]
}

/** A fresh context (its own cookies: one person) and a page that records what went wrong. */
export async function openUser(browser: Browser, options: BrowserContextOptions = {}): Promise<Watched> {
  const context = await browser.newContext({ baseURL: baseURL(), locale: 'en-US', timezoneId: 'Asia/Seoul', ...options })
  const problems: string[] = []
  const origin = new URL(baseURL()).origin
  context.on('request', (req) => {
    const url = req.url()
    if (!url.startsWith(origin) && !url.startsWith(origin.replace('http', 'ws')) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`external request: ${url}`)
  })
  const page = await context.newPage()
  watchPage(page, problems)
  return { page, context, problems }
}

export function watchPage(page: Page, problems: string[]) {
  page.on('console', (msg) => {
    const text = msg.text()
    if (/hydration|mismatch/i.test(text)) problems.push(`hydration: ${text}`)
    else if (/Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`)
    else if (msg.type() === 'error' && !/status of 401/.test(text)) problems.push(`console error: ${text} ${msg.location().url}`)
  })
  page.on('pageerror', err => problems.push(`page error: ${err.message}`))
}

export interface Person { username: string, email: string, password: string }

export function newPerson(prefix = 'u'): Person {
  const username = uniqueName(prefix).slice(0, 20)
  return { username, email: `${username}@example.test`, password: 'correct horse battery' }
}

/** Navigates and waits until Vue has hydrated (clicks before that would submit forms natively). */
export async function gotoReady(page: Page, path: string) {
  await page.goto(path)
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' })
}

export async function signUp(page: Page, person: Person) {
  await gotoReady(page, '/register')
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Username').fill(person.username)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Sign up' }).click()
  await page.getByTestId('me').filter({ hasText: person.username }).waitFor()
}

/** Logs in an account made over the API (registerUser) through the login form. */
export async function logIn(page: Page, user: TestUser) {
  await gotoReady(page, '/login')
  await page.locator('input[name="email"]').fill(user.user.email)
  await page.locator('input[name="password"]').fill(user.password)
  await page.locator('button[type="submit"]').click()
  await page.getByTestId('me').waitFor()
}

/** A fresh context logged in as `user`, its socket connected. */
export async function openOnline(browser: Browser, user: TestUser): Promise<Watched> {
  const w = await openUser(browser)
  await logIn(w.page, user)
  await waitOnline(w.page)
  return w
}

/** Waits until the tab's socket is connected (the sidebar stops saying "Connecting…"). */
export async function waitOnline(page: Page) {
  await page.locator('[data-testid="me"]').waitFor()
  await page.waitForFunction(() => !document.body.innerText.includes('Connecting…') && !document.querySelector('[data-testid="conn-offline"]'))
}

export async function createRoom(page: Page, name: string): Promise<number> {
  await page.getByTestId('new-room').click()
  await page.getByTestId('room-name-input').fill(name)
  await page.getByTestId('room-create-submit').click()
  await page.waitForURL(/\/rooms\/\d+$/)
  return Number(new URL(page.url()).pathname.split('/').pop())
}

export async function sendText(page: Page, text: string) {
  const composer = page.getByTestId('composer')
  await composer.fill(text)
  await composer.press('Enter')
}

/** The text of every rendered message body in the open room, in order. */
export async function bodies(page: Page): Promise<string[]> {
  return page.getByTestId('message-body').allInnerTexts()
}
