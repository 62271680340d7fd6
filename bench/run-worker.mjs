// One client row of bench/run.mjs, in its own long-lived process (forked with --no-memory-reducer).
// It loads only its row's library, then waits for commands over IPC:
//   { cmd: 'init', rowId, origin, pool, hardLimitMs }      → { type: 'ready' } | { type: 'error', error }
//   { cmd: 'run', id, scenario, inFlight, warmupMs, measureMs, maxCount, check }
//                                                          → { type: 'result', id, … }
//   { cmd: 'exit' }                                        → closes the pools and exits
// A run warms up for warmupMs, then keeps `inFlight` requests going for measureMs (and at most
// maxCount requests), and reports the count, the elapsed wall time, the process CPU time
// (process.cpuUsage) spent in the measured window, the highest RSS sampled during the run and
// process.resourceUsage().maxRSS. The first error stops the run and is reported.
import { isDeepStrictEqual } from 'node:util'
import { GET_BODY, PAYLOAD, ROWS } from './rows.mjs'

let row
let client
let stub
let hardLimit

const STUB_YIELD_EVERY = 32
const EXPECTED = { 'seq-get': GET_BODY, 'c64-get': GET_BODY, 'c64-post': PAYLOAD, stub: GET_BODY }

function send(message) {
  if (process.connected) process.send(message)
}

function serialise(error) {
  if (error === undefined) return undefined
  let text = error?.stack ?? String(error)
  if (error?.cause) text += `\ncause: ${error.cause?.stack ?? String(error.cause)}`
  return text
}

async function requestFn(scenario) {
  if (scenario === 'stub') {
    stub ??= await client.stubSetup()
    return stub
  }
  if (scenario === 'c64-post') return () => client.post(PAYLOAD)
  return () => client.get()
}

/**
 * Keeps `inFlight` requests going until `ms` passed or `maxCount` were sent; stops at the first error.
 * With `yieldEvery`, each loop also gives the event loop a turn (setImmediate) every that many
 * requests: a stub transport answers on the microtask queue, so without it the loop would never
 * reach the event loop, and every setImmediate/timer a client schedules per request (undici's
 * body clean-up, for one) would pile up until the run ends — memory growing by ~2 KB a request.
 */
async function drive(fn, inFlight, ms, maxCount, yieldEvery = 0) {
  let count = 0
  let started = 0
  let error
  let rssPeak = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > rssPeak) rssPeak = rss
  }, 20)
  const deadline = performance.now() + ms
  const loop = async () => {
    while (error === undefined && started < maxCount && performance.now() < deadline) {
      started++
      try {
        await fn()
      } catch (e) {
        error ??= e
        return
      }
      count++
      if (yieldEvery && count % yieldEvery === 0) await new Promise(setImmediate)
    }
  }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inFlight }, loop))
  const elapsedMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  clearInterval(sampler)
  const rss = process.memoryUsage.rss()
  if (rss > rssPeak) rssPeak = rss
  return { count, elapsedMs, cpuUs: cpu.user + cpu.system, rssPeak, error }
}

async function run({ id, scenario, inFlight, warmupMs, measureMs, maxCount, check }) {
  try {
    const fn = await requestFn(scenario)
    let sent = 0
    if (check) {
      const data = await fn()
      sent++
      if (!isDeepStrictEqual(data, EXPECTED[scenario])) throw new Error(`unexpected response: ${JSON.stringify(data)}`)
    }
    const yieldEvery = scenario === 'stub' ? STUB_YIELD_EVERY : 0
    const warm = await drive(fn, inFlight, warmupMs, maxCount, yieldEvery)
    sent += warm.count
    if (warm.error) throw warm.error
    const r = await drive(fn, inFlight, measureMs, maxCount, yieldEvery)
    sent += r.count
    send({
      type: 'result',
      id,
      count: r.count,
      completed: sent,
      elapsedMs: r.elapsedMs,
      cpuUs: r.cpuUs,
      rssPeak: Math.max(r.rssPeak, warm.rssPeak),
      maxRSS: process.resourceUsage().maxRSS * 1024,
      error: serialise(r.error),
    })
  } catch (error) {
    send({ type: 'result', id, error: serialise(error), maxRSS: process.resourceUsage().maxRSS * 1024 })
  }
}

process.on('message', async (message) => {
  switch (message?.cmd) {
    case 'init': {
      hardLimit = setTimeout(() => process.exit(3), message.hardLimitMs)
      hardLimit.unref()
      try {
        row = ROWS.find((r) => r.id === message.rowId)
        if (!row) throw new Error(`no row ${message.rowId}`)
        client = await row.setup({ origin: message.origin, pool: message.pool })
        send({ type: 'ready', rss: process.memoryUsage.rss() })
      } catch (error) {
        send({ type: 'error', error: serialise(error) })
      }
      break
    }
    case 'run':
      await run(message)
      break
    case 'exit': {
      const closing = Promise.resolve(client?.close())
      const timer = setTimeout(() => process.exit(0), 2000)
      timer.unref()
      await closing.catch(() => {})
      process.exit(0)
    }
  }
})

// The parent going away takes us with it.
process.on('disconnect', () => process.exit(0))
