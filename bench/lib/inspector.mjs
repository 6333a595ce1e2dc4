// V8's CPU profiler (the one behind `node --cpu-prof`) driven over the inspector protocol, so a
// profile covers only the measured load window and not start-up or the connection ramp.
// The target is started with `--inspect=127.0.0.1:0`; its stderr names the inspector's URL.
import WebSocket from 'ws'

/** Resolves with the inspector URL once the child's stderr prints it. */
export function inspectorUrl(stderr) {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (d) => {
      text += d
      const m = /Debugger listening on (ws:\/\/\S+)/.exec(text)
      if (m) {
        stderr.off('data', onData)
        resolve(m[1])
      }
    }
    stderr.on('data', onData)
    setTimeout(() => reject(new Error('the server printed no inspector URL within 30 s')), 30_000).unref()
  })
}

export async function connectProfiler(url, samplingIntervalUs = 250) {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 2 ** 31 - 1 })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  let nextId = 1
  const pending = new Map()
  ws.on('message', (data) => {
    const msg = JSON.parse(data)
    const p = msg.id && pending.get(msg.id)
    if (!p) return
    pending.delete(msg.id)
    if (msg.error) p.reject(new Error(msg.error.message))
    else p.resolve(msg.result)
  })
  const call = (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++
    pending.set(id, { resolve, reject })
    ws.send(JSON.stringify({ id, method, params }))
  })
  await call('Profiler.enable')
  await call('Profiler.setSamplingInterval', { interval: samplingIntervalUs })
  return {
    start: () => call('Profiler.start'),
    /** @returns {Promise<object>} the profile, in the .cpuprofile format */
    stop: async () => (await call('Profiler.stop')).profile,
    close: () => ws.close(),
    /** Any other inspector method, e.g. HeapProfiler.collectGarbage or Runtime.evaluate. */
    call,
  }
}
