import { chromium } from 'playwright-core'
const base = 'http://127.0.0.1:3917'
async function j(method, path, token, body) {
  const r = await fetch(base + '/api/v1' + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) }, body: body ? JSON.stringify(body) : undefined })
  return r.json()
}
const s = Date.now().toString(36)
const w = await j('POST', '/auth/register', null, { email: `w${s}@e.test`, username: 'w' + s, password: 'correct horse battery' })
const r = await j('POST', '/auth/register', null, { email: `r${s}@e.test`, username: 'r' + s, password: 'correct horse battery' })
const room = await j('POST', '/rooms', w.access_token, { name: 'Long', member_ids: [r.user.id] })
for (let i = 1; i <= 130; i++) await j('POST', `/rooms/${room.id}/messages`, w.access_token, { content: 'history ' + i })
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] })
const ctx = await b.newContext({ viewport: { width: 1000, height: 700 } })
const p = await ctx.newPage()
p.on('console', m => console.log('console', m.type(), m.text()))
p.on('response', r => { if (r.url().includes('/messages')) console.log('resp', r.status(), r.url()) })
await p.goto(base + '/login'); await p.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' })
await p.locator('input[name="email"]').fill(`r${s}@e.test`); await p.locator('input[name="password"]').fill('correct horse battery'); await p.locator('button[type="submit"]').click()
await p.locator(`[data-room-id="${room.id}"]`).click()
await p.getByTestId('message-body').filter({ hasText: 'history 130' }).waitFor()
const list = p.getByTestId('message-list')
for (let i = 0; i < 6; i++) {
  const info = await list.evaluate(el => { el.scrollBy(0, -100000); return [el.scrollTop, el.scrollHeight, el.clientHeight] })
  await p.waitForTimeout(400)
  console.log('iter', i, info, await p.getByTestId('message').count())
}
await b.close()
