import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { api, registerUser } from '../helpers/api'
import { baseURL, gotoReady, launch, newPerson, openUser, signUp } from './helpers'

let browser: Browser
beforeAll(async () => { browser = await launch() })
afterAll(async () => { await browser?.close() })

describe('security headers', () => {
  it('every page and API answer carries them; pages get a CSP without inline-script allowance', async () => {
    for (const path of ['/login', '/register', '/', '/rooms/1']) {
      const res = await fetch(baseURL() + path)
      expect(res.status, path).toBe(200)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/)
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).not.toContain('unsafe-eval')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    }
    // Error answers too (Nitro's error handler sets its own, stricter policy: scripts off).
    for (const path of ['/no-such-page', '/api/v1/no-such-route']) {
      const res = await fetch(baseURL() + path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('referrer-policy'), path).toMatch(/^(no-referrer|strict-origin-when-cross-origin)$/)
    }
    const api = await fetch(baseURL() + '/api/v1/auth/me')
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(api.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('the CSP really blocks an injected inline script while the app keeps working', async () => {
    const { page, problems } = await openUser(browser)
    await gotoReady(page, '/login')
    const ran = await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'window.__injected = true'
      document.body.appendChild(s)
      return (window as unknown as { __injected?: boolean }).__injected === true
    })
    expect(ran).toBe(false)
    // The app itself hydrated under the same policy: client-side validation answers.
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect.poll(() => page.getByText('This field is required.').count()).toBe(2)
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect.poll(() => page.getByText('Enter a valid email address.').count()).toBe(1)
    expect(problems.filter(p => !p.includes('__injected') && !p.startsWith('csp:'))).toEqual([])
    await page.context().close()
  })
})

describe('auth screens', () => {
  it('sign up, reload keeps the session, log out, log in again; no hydration warnings, nothing external', async () => {
    const { page, context, problems } = await openUser(browser)
    const me = newPerson('auth')
    await signUp(page, me)
    // Tokens never land in web storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
    expect(stored).not.toMatch(/eyJ/)
    const cookies = await context.cookies()
    expect(cookies.find(c => c.name === 'mm_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' })

    await page.reload()
    await page.getByTestId('me').filter({ hasText: me.username }).waitFor()

    await page.getByTestId('logout').click()
    await page.waitForURL(/\/login/)
    await page.getByTestId('auth-notice').filter({ hasText: 'You have logged out.' }).waitFor()
    await page.goto('/')
    await page.waitForURL(/\/login/)

    await page.getByLabel('Email').fill(me.email)
    await page.getByLabel('Password').fill('wrong password!')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByText('Wrong email or password.').waitFor()
    await page.getByLabel('Password').fill(me.password)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByTestId('me').filter({ hasText: me.username }).waitFor()
    expect(problems).toEqual([])
    await context.close()
  })

  it('after a logout, the next person in the same tab sees nothing of the previous one', async () => {
    const first = await registerUser()
    const second = await registerUser()
    await api('POST', '/rooms', { token: first.token, body: { name: 'Private plans' } })
    const { page, context, problems } = await openUser(browser)
    for (const [who, rooms] of [[first, 1], [second, 0]] as const) {
      if (who === second) {
        await page.getByTestId('logout').click()
        await page.waitForURL(/\/login/)
      }
      else await gotoReady(page, '/login')
      await page.locator('input[name="email"]').fill(who.user.email)
      await page.locator('input[name="password"]').fill(who.password)
      await page.locator('button[type="submit"]').click()
      await page.getByTestId('me').filter({ hasText: who.user.username }).waitFor()
      if (rooms) await page.getByTestId('room-item').filter({ hasText: 'Private plans' }).waitFor()
      else await page.getByText('No chats yet').waitFor()
      expect(await page.getByTestId('room-item').count()).toBe(rooms)
    }
    expect(problems).toEqual([])
    await context.close()
  })

  it('an expired session goes back to login with a message', async () => {
    const { page, context } = await openUser(browser)
    await signUp(page, newPerson('exp'))
    // The session ends server-side: the refresh cookie no longer works and the API refuses the token.
    await context.clearCookies()
    await page.route('**/api/v1/users**', route => route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"Token expired","code":"TOKEN_EXPIRED"}' }))
    await page.getByTestId('new-direct').click()
    await page.getByTestId('user-search').fill('someone')
    await page.waitForURL(/\/login\?expired=1/)
    await page.getByTestId('auth-notice').filter({ hasText: 'Your session has expired' }).waitFor()
    await context.close()
  })

  it('login and register render in Korean for a Korean browser, with the same words after hydration', async () => {
    const { page, context, problems } = await openUser(browser, { locale: 'ko-KR' })
    await gotoReady(page, '/register')
    await page.getByRole('heading', { name: '계정 만들기' }).waitFor()
    await page.getByLabel('이메일').waitFor()
    await page.getByRole('button', { name: '회원가입' }).click()
    await page.getByText('필수 항목입니다.').first().waitFor()
    await page.getByTestId('locale').selectOption('en')
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    expect(problems).toEqual([])
    await context.close()
  })
})
