// A small REST client for the chaos suite: JSON in, {status, body} out; network failures become
// status 0 so callers can treat "server down" and "server answered an error" alike.
export async function api(base, method, path, { token, body, timeoutMs = 10_000 } = {}) {
  const headers = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  try {
    const res = await fetch(`${base}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) })
    const text = await res.text()
    let parsed = text
    try {
      parsed = text ? JSON.parse(text) : null
    }
    catch { /* not JSON */ }
    return { status: res.status, body: parsed, text }
  }
  catch (err) {
    return { status: 0, body: null, text: '', error: err.cause?.code ?? err.name ?? String(err) }
  }
}

/** Like `api`, but throws unless the status is one of `ok`. */
export async function apiOk(base, method, path, options = {}, ok = [200, 201]) {
  const res = await api(base, method, path, options)
  if (!ok.includes(res.status)) throw new Error(`${method} ${path} -> ${res.status} ${res.error ?? res.text.slice(0, 200)}`)
  return res.body
}

/** Every page of `GET /rooms/:id/events` from after_seq=0, oldest first. */
export async function allEvents(base, token, roomId) {
  const events = []
  for (let after = 0; ;) {
    const page = await apiOk(base, 'GET', `/rooms/${roomId}/events?after_seq=${after}&limit=500`, { token })
    events.push(...page)
    if (page.length < 500) return events
    after = page.at(-1).seq
  }
}

/** The whole history through `GET /rooms/:id/messages?after_seq=` paging (oldest first). */
export async function historyForward(base, token, roomId) {
  const messages = []
  for (let after = 0; ;) {
    const page = await apiOk(base, 'GET', `/rooms/${roomId}/messages?after_seq=${after}&limit=100`, { token })
    messages.push(...page)
    if (page.length < 100) return messages
    after = page.at(-1).seq
  }
}

/** The whole history again, newest page first through `before=<id>`, returned oldest first. */
export async function historyBackward(base, token, roomId) {
  const pages = []
  let page = await apiOk(base, 'GET', `/rooms/${roomId}/messages?limit=100`, { token })
  while (page.length) {
    pages.unshift(page)
    if (page.length < 100) break
    page = await apiOk(base, 'GET', `/rooms/${roomId}/messages?before=${page[0].id}&limit=100`, { token })
  }
  return pages.flat()
}
