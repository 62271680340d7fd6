// One client row of bench/run.mjs, in its own long-lived process (forked with --no-memory-reducer).
// It loads only its row's library, then waits for commands over IPC (on Node), or, with --stdio
// (Bun, Deno: a Node parent's IPC channel is not something they share), as one JSON object a line
// on stdin, answering the same way on stdout:
//   { cmd: 'init', rowId, rowSet, origin, pool, hardLimitMs }
//                                                          → { type: 'ready' } | { type: 'error', error }
//   { cmd: 'run', id, scenario, inFlight, warmupMs, measureMs, maxCount, check }
//                                                          → { type: 'result', id, …, latency? }
//   { cmd: 'cold', id, calls, inFlight, warmup }           → { type: 'cold', id, … }
//   { cmd: 'exit' }                                        → closes the pools and exits
// A c=64 run also records each measured request's latency (performance.now() around the call,
// into one preallocated Float64Array, so recording allocates nothing) and reports p50/p99/p99.9.
// 'cold' is sent to a fresh process right after init: `calls` GETs with `inFlight` in flight and
// no warm-up (after `client.warmup({ connections: inFlight })` when `warmup` is set and the client
// has one), every latency recorded.
// A run warms up for warmupMs, then keeps `inFlight` requests going for measureMs (and at most
// maxCount requests), and reports the count, the elapsed wall time, the process CPU time
// (process.cpuUsage) spent in the measured window, the highest RSS sampled during the run and
// process.resourceUsage().maxRSS. The first error stops the run and is reported.
import { createInterface } from 'node:readline'
import { isDeepStrictEqual } from 'node:util'
import { GET_BODY, PAYLOAD, ROWS, RUNTIME_ROWS } from './rows.mjs'
import { latencySummary } from './stats.mjs'

let row
let client
let stub
let hardLimit

const STUB_YIELD_EVERY = 32
const EXPECTED = { 'seq-get': GET_BODY, 'c64-get': GET_BODY, 'c64-post': PAYLOAD, stub: GET_BODY }
const STDIO = process.argv.includes('--stdio')
// Room for a run's latencies: far more than a measured second at c=64 completes. Pages never
// written stay unmapped, so it adds to RSS only what is recorded (8 bytes a request).
let latencies

function send(message) {
  if (STDIO) process.stdout.write(`${JSON.stringify(message)}\n`)
  else if (process.connected) process.send(message)
}
/** A full GC where the runtime offers one (Node with --expose-gc, Bun); elsewhere nothing. */
function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc()
  else globalThis.Bun?.gc(true)
}
const resourceMaxRSS = () => (typeof process.resourceUsage === 'function' ? process.resourceUsage().maxRSS * 1024 : undefined)

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
async function drive(fn, inFlight, ms, maxCount, yieldEvery = 0, record = false) {
  let count = 0
  let started = 0
  let recorded = 0
  let error
  if (record) latencies ??= new Float64Array(1 << 20)
  let rssPeak = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > rssPeak) rssPeak = rss
  }, 20)
  const deadline = performance.now() + ms
  const loop = async () => {
    while (error === undefined && started < maxCount && performance.now() < deadline) {
      started++
      const t = record ? performance.now() : 0
      try {
        await fn()
      } catch (e) {
        error ??= e
        return
      }
      if (record && recorded < latencies.length) latencies[recorded++] = performance.now() - t
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
  const latency = record ? latencySummary(latencies.subarray(0, recorded)) : undefined
  return { count, elapsedMs, cpuUs: cpu.user + cpu.system, rssPeak, error, latency }
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
    // A stub run measures µs: it must not pay for the heap the network scenarios left (see line.mjs).
    if (scenario === 'stub') collectGarbage()
    const warm = await drive(fn, inFlight, warmupMs, maxCount, yieldEvery)
    sent += warm.count
    if (warm.error) throw warm.error
    const r = await drive(fn, inFlight, measureMs, maxCount, yieldEvery, inFlight > 1 && scenario !== 'stub')
    sent += r.count
    send({
      type: 'result',
      id,
      count: r.count,
      completed: sent,
      elapsedMs: r.elapsedMs,
      cpuUs: r.cpuUs,
      rssPeak: Math.max(r.rssPeak, warm.rssPeak),
      maxRSS: resourceMaxRSS(),
      latency: r.latency,
      error: serialise(r.error),
    })
  } catch (error) {
    send({ type: 'result', id, error: serialise(error), maxRSS: resourceMaxRSS() })
  }
}

/** A fresh process's first `calls` GETs, `inFlight` at a time, each one's latency recorded. */
async function cold({ id, calls, inFlight, warmup }) {
  try {
    let warmupMs
    if (warmup) {
      if (typeof client.warmup !== 'function') return send({ type: 'cold', id, na: true })
      const t0 = performance.now()
      await client.warmup({ connections: inFlight })
      warmupMs = performance.now() - t0
    }
    const r = await drive(() => client.get(), inFlight, 600_000, calls, 0, true)
    if (r.error) throw r.error
    send({ type: 'cold', id, count: r.count, elapsedMs: r.elapsedMs, warmupMs, latency: r.latency })
  } catch (error) {
    send({ type: 'cold', id, error: serialise(error) })
  }
}

async function onMessage(message) {
  switch (message?.cmd) {
    case 'init': {
      hardLimit = setTimeout(() => process.exit(3), message.hardLimitMs)
      hardLimit.unref()
      try {
        const t0 = performance.now()
        row = (message.rowSet === 'runtime' ? RUNTIME_ROWS : ROWS).find((r) => r.id === message.rowId)
        if (!row) throw new Error(`no row ${message.rowId}`)
        client = await row.setup({ origin: message.origin, pool: message.pool })
        send({ type: 'ready', rss: process.memoryUsage.rss(), setupMs: performance.now() - t0 })
      } catch (error) {
        send({ type: 'error', error: serialise(error) })
      }
      break
    }
    case 'run':
      await run(message)
      break
    case 'cold':
      await cold(message)
      break
    case 'exit': {
      const closing = Promise.resolve(client?.close())
      const timer = setTimeout(() => process.exit(0), 2000)
      timer.unref()
      await closing.catch(() => {})
      process.exit(0)
    }
  }
}

// The parent going away takes us with it.
if (STDIO) {
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => line.trim() && onMessage(JSON.parse(line)))
  lines.on('close', () => process.exit(0))
} else {
  process.on('message', onMessage)
  process.on('disconnect', () => process.exit(0))
}
