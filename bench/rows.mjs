// The client rows of bench/run.mjs. Each row is set up inside its own worker process
// (bench/run-worker.mjs), so every library is imported lazily, inside `setup`: a worker loads only
// what its own row needs, and its peak RSS is that client's.
//
// A row's `setup({ origin, pool })` returns
//   get()      GET  /json over the network, resolves to the parsed JSON
//   post(obj)  POST /echo with `obj` as JSON, resolves to the parsed JSON
//   stub()     a GET with the network replaced (see below), resolves to the parsed JSON; created
//              lazily by `stubSetup()` the first time the stub scenario runs
//   close()    frees the pools
//
// Every row JSON.stringify-s the POST payload per request (the raw rows too), since every client
// library does so internally.
//
// Stub transport (no network) — "each client's request path with the network replaced":
//   - fetch-wrapping libraries (ofetch, ky) get a `fetch` that answers
//     `new Response(body, { headers: { 'content-type': 'application/json' } })` from memory;
//   - clients that sit on an undici Dispatcher (undici.request, undici fetch, Node's global fetch,
//     both fetchline cores, which own an undici pool) get a stub Dispatcher (below) that answers
//     every dispatch from memory, so undici's request/fetch layers are still measured, only the
//     socket is gone;
//   - axios gets a custom adapter; got a `beforeRequest` hook that returns an IncomingMessage-like
//     Readable (got's documented way to answer without a request, as its cache does).
// Stub URLs use the path /stub/json on the bench server's own 127.0.0.1 origin: if a stub ever
// leaked to the network, the server would answer 404 and the row would fail its sanity check.

import { Readable } from 'node:stream'

import { GET_BODY, PAYLOAD } from './payload.mjs'

export { GET_BODY, PAYLOAD }

const STUB_TEXT = JSON.stringify(GET_BODY)
const STUB_BYTES = Buffer.from(STUB_TEXT)
const STUB_PATH = '/stub/json'
const JSON_HEADERS = { 'content-type': 'application/json' }

/** A fetch that never touches the network. */
const stubFetch = async () => new Response(STUB_TEXT, { headers: { 'content-type': 'application/json' } })

/**
 * An undici Dispatcher that answers every request from memory (200, JSON) on the next microtask.
 * It speaks both handler APIs: the legacy one (onConnect/onHeaders/onData/onComplete — what
 * Dispatcher.request, both fetches and an Agent's pools hand down) and the new controller one.
 * `headers`: more response headers to answer with (lower-case name → value), e.g. the cache rows' Cache-Control and ETag.
 */
export async function createStubDispatcher({ headers: extra = {} } = {}) {
  const { Dispatcher } = await import('undici')
  const rawHeaders = [
    Buffer.from('content-type'),
    Buffer.from('application/json'),
    Buffer.from('content-length'),
    Buffer.from(String(STUB_BYTES.length)),
    ...Object.entries(extra).flatMap(([name, value]) => [Buffer.from(name), Buffer.from(value)]),
  ]
  const headers = { 'content-type': 'application/json', 'content-length': String(STUB_BYTES.length), ...extra }
  const noop = () => {}

  function deliverLegacy(handler) {
    let aborted = false
    handler.onConnect?.((reason) => {
      aborted = true
      handler.onError?.(reason ?? new Error('aborted'))
    }, {})
    if (aborted) return
    handler.onResponseStarted?.()
    handler.onHeaders(200, rawHeaders, noop, 'OK')
    if (aborted) return
    handler.onData(Buffer.from(STUB_BYTES))
    if (aborted) return
    handler.onComplete([])
  }

  function deliverController(handler) {
    const controller = {
      aborted: false,
      paused: false,
      reason: null,
      abort(reason) {
        this.aborted = true
        this.reason = reason
      },
      pause() {},
      resume() {},
    }
    handler.onRequestStart?.(controller, {})
    if (controller.aborted) return handler.onResponseError?.(controller, controller.reason)
    handler.onResponseStart?.(controller, 200, headers, 'OK')
    if (controller.aborted) return
    handler.onResponseData?.(controller, Buffer.from(STUB_BYTES))
    if (controller.aborted) return
    handler.onResponseEnd?.(controller, {})
  }

  class StubDispatcher extends Dispatcher {
    dispatch(opts, handler) {
      // Drain a request body if one is ever given (the stub scenario sends GETs only).
      if (opts.body && typeof opts.body.resume === 'function') opts.body.resume()
      queueMicrotask(() => {
        try {
          if (typeof handler.onConnect === 'function' || typeof handler.onHeaders === 'function') deliverLegacy(handler)
          else deliverController(handler)
        } catch (error) {
          if (typeof handler.onError === 'function') handler.onError(error)
          else handler.onResponseError?.({}, error)
        }
      })
      return true
    }
    close(callback) {
      if (typeof callback === 'function') return queueMicrotask(callback)
      return Promise.resolve()
    }
    destroy(err, callback) {
      const cb = typeof err === 'function' ? err : callback
      if (typeof cb === 'function') return queueMicrotask(cb)
      return Promise.resolve()
    }
  }
  return new StubDispatcher()
}

/** An IncomingMessage-like answer for got's beforeRequest hook. */
function gotStubResponse() {
  const response = new Readable({ read() {} })
  response.push(Buffer.from(STUB_BYTES))
  response.push(null)
  response.statusCode = 200
  response.statusMessage = 'OK'
  response.httpVersion = '1.1'
  response.headers = { 'content-type': 'application/json', 'content-length': String(STUB_BYTES.length) }
  response.rawHeaders = ['content-type', 'application/json', 'content-length', String(STUB_BYTES.length)]
  response.complete = true
  return response
}

async function fetchlineRow({ origin, pool }, { core, full }) {
  const { createClient, recommended } = await import('../dist/index.js')
  let middleware
  if (full) {
    const { createConsola } = await import('consola')
    // info level, a reporter that drops every line: the cost of building each line is counted.
    const logger = createConsola({ level: 3, reporters: [{ log() {} }] })
    middleware = () => recommended({ log: { logger } })
  }
  const client = createClient({ baseURL: origin, core, pool: { ...pool }, ...(full ? { middleware: middleware() } : {}) })
  let stubClient
  return {
    // The cold-start "+ warmup" variants call it before their burst; another branch adds it.
    warmup: typeof client.warmup === 'function' ? (options) => client.warmup(options) : undefined,
    get: async () => (await client.get('/json')).data,
    post: async (payload) => (await client.post('/echo', { json: payload })).data,
    async stubSetup() {
      // Both cores in their default set-up, the client's own pool, with the stub Dispatcher as the
      // pool's connection: the attempt timeout is enforced as in production (below fetch), and
      // undici's fetch layer still runs for the fetch core.
      const stub = await createStubDispatcher()
      stubClient = createClient({
        baseURL: origin,
        core,
        pool: { factory: () => stub },
        ...(full ? { middleware: middleware() } : {}),
      })
      return async () => (await stubClient.get(STUB_PATH)).data
    },
    close: () => Promise.allSettled([client.close(), stubClient?.close()]),
  }
}

/**
 * The floor row's request: `dispatch` with a minimal handler in undici's controller API (the one
 * src/node/cores/exchange.ts implements) that keeps the body's chunks and JSON.parse-s them at the
 * end — the least work any undici-based client can do for a JSON answer.
 */
function dispatchJSON(dispatcher, options) {
  return new Promise((resolve, reject) => {
    let first
    let rest
    dispatcher.dispatch(options, {
      onRequestStart() {},
      onResponseStart() {},
      onResponseData(_controller, chunk) {
        if (first === undefined) first = chunk
        else (rest ??= []).push(chunk)
      },
      onResponseEnd() {
        try {
          resolve(JSON.parse((rest ? Buffer.concat([first, ...rest]) : first).toString()))
        } catch (error) {
          reject(error)
        }
      },
      onResponseError(_controller, error) {
        reject(error)
      },
    })
  })
}

export const ROWS = [
  {
    id: 'floor',
    name: 'floor: Agent.dispatch + JSON.parse',
    note: "new Agent({ connections: 64, keepAliveTimeout: 30 s }).dispatch() with a minimal handler in undici's controller API (onRequestStart, onResponseStart, onResponseData keeping the chunks, onResponseEnd JSON.parse-ing them): the least work any undici-based client can do. Stub: the same handler on the stub Dispatcher.",
    async setup({ origin, pool }) {
      const { Agent } = await import('undici')
      const agent = new Agent(pool)
      let stub
      return {
        get: () => dispatchJSON(agent, { origin, path: '/json', method: 'GET' }),
        post: (payload) =>
          dispatchJSON(agent, { origin, path: '/echo', method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(payload) }),
        async stubSetup() {
          stub = await createStubDispatcher()
          return () => dispatchJSON(stub, { origin, path: STUB_PATH, method: 'GET' })
        },
        close: () => agent.close(),
      }
    },
  },
  {
    id: 'undici-request',
    name: 'undici.request',
    note: 'new Agent({ connections: 64, keepAliveTimeout: 30 s }).request(); body.json(). Stub: a stub Dispatcher.',
    async setup({ origin, pool }) {
      const { Agent } = await import('undici')
      const agent = new Agent(pool)
      let stub
      return {
        get: async () => (await agent.request({ origin, path: '/json', method: 'GET' })).body.json(),
        post: async (payload) =>
          (
            await agent.request({ origin, path: '/echo', method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(payload) })
          ).body.json(),
        async stubSetup() {
          stub = await createStubDispatcher()
          return async () => (await stub.request({ origin, path: STUB_PATH, method: 'GET' })).body.json()
        },
        close: () => agent.close(),
      }
    },
  },
  {
    id: 'undici-fetch',
    name: 'undici fetch',
    note: "undici 7's fetch with dispatcher: an equal Agent. Stub: the stub Dispatcher as dispatcher (undici's fetch layer still runs).",
    async setup({ origin, pool }) {
      const { Agent, fetch } = await import('undici')
      const agent = new Agent(pool)
      const getURL = `${origin}/json`
      const postURL = `${origin}/echo`
      const stubURL = `${origin}${STUB_PATH}`
      return {
        get: async () => (await fetch(getURL, { dispatcher: agent })).json(),
        post: async (payload) =>
          (await fetch(postURL, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(payload), dispatcher: agent })).json(),
        async stubSetup() {
          const stub = await createStubDispatcher()
          return async () => (await fetch(stubURL, { dispatcher: stub })).json()
        },
        close: () => agent.close(),
      }
    },
  },
  {
    id: 'global-fetch',
    name: 'Node global fetch',
    note: `Node's built-in fetch (its bundled undici ${process.versions.undici}) with dispatcher: an undici 7 Agent equal to the others (the default global dispatcher would have an unbounded pool and a 4 s keep-alive). Stub: the stub Dispatcher as dispatcher.`,
    async setup({ origin, pool }) {
      const { Agent } = await import('undici')
      const agent = new Agent(pool)
      const getURL = `${origin}/json`
      const postURL = `${origin}/echo`
      const stubURL = `${origin}${STUB_PATH}`
      return {
        get: async () => (await globalThis.fetch(getURL, { dispatcher: agent })).json(),
        post: async (payload) =>
          (
            await globalThis.fetch(postURL, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(payload), dispatcher: agent })
          ).json(),
        async stubSetup() {
          const stub = await createStubDispatcher()
          return async () => (await globalThis.fetch(stubURL, { dispatcher: stub })).json()
        },
        close: () => agent.close(),
      }
    },
  },
  {
    id: 'ofetch',
    name: 'ofetch',
    note: "ofetch as shipped (`ofetch.create`, over Node's global fetch) with dispatcher: an undici 7 Agent equal to the others; ofetch defaults otherwise (GET retry: 1, unused). Stub: `createFetch` with the stub fetch.",
    async setup({ origin, pool }) {
      const { Agent } = await import('undici')
      const { ofetch, createFetch } = await import('ofetch')
      const agent = new Agent(pool)
      const $fetch = ofetch.create({ baseURL: origin, dispatcher: agent })
      return {
        get: () => $fetch('/json'),
        post: (payload) => $fetch('/echo', { method: 'POST', body: payload }),
        async stubSetup() {
          const $stub = createFetch({ fetch: stubFetch, Headers, AbortController }).create({ baseURL: origin })
          return () => $stub(STUB_PATH)
        },
        close: () => agent.close(),
      }
    },
  },
  {
    id: 'ky',
    name: 'ky',
    note: "ky over Node's global fetch (ky builds a global Request, which undici 7's fetch would not accept) with dispatcher: an undici 7 Agent equal to the others; ky defaults otherwise (10 s timeout, GET retry: 2, unused). Stub: ky's `fetch` option.",
    async setup({ origin, pool }) {
      const { Agent } = await import('undici')
      const { default: ky } = await import('ky')
      const agent = new Agent(pool)
      const api = ky.create({ prefixUrl: origin, dispatcher: agent })
      return {
        get: () => api.get('json').json(),
        post: (payload) => api.post('echo', { json: payload }).json(),
        async stubSetup() {
          const stubApi = ky.create({ prefixUrl: origin, fetch: stubFetch })
          return () => stubApi.get(STUB_PATH.slice(1)).json()
        },
        close: () => agent.close(),
      }
    },
  },
  {
    id: 'got',
    name: 'got',
    note: 'got with agent: { http: new http.Agent({ keepAlive: true, maxSockets: 64 }) }, responseType json, resolveBodyOnly; got defaults otherwise (GET retry: 2, unused). Stub: a beforeRequest hook returning an IncomingMessage-like Readable.',
    async setup({ origin }) {
      const http = await import('node:http')
      const { default: got } = await import('got')
      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
      const client = got.extend({ prefixUrl: origin, agent: { http: agent }, responseType: 'json', resolveBodyOnly: true })
      return {
        get: () => client.get('json'),
        post: (payload) => client.post('echo', { json: payload }),
        async stubSetup() {
          const stubClient = client.extend({ hooks: { beforeRequest: [() => gotStubResponse()] } })
          return () => stubClient.get(STUB_PATH.slice(1))
        },
        close: async () => agent.destroy(),
      }
    },
  },
  {
    id: 'axios',
    name: 'axios',
    note: 'axios with httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) (http adapter). Stub: a custom adapter answering the JSON text.',
    async setup({ origin }) {
      const http = await import('node:http')
      const { default: axios, AxiosHeaders } = await import('axios')
      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
      const client = axios.create({ baseURL: origin, httpAgent: agent })
      return {
        get: async () => (await client.get('/json')).data,
        post: async (payload) => (await client.post('/echo', payload)).data,
        async stubSetup() {
          const adapter = async (config) => ({
            data: STUB_TEXT,
            status: 200,
            statusText: 'OK',
            headers: new AxiosHeaders({ 'content-type': 'application/json', 'content-length': String(STUB_BYTES.length) }),
            config,
            request: {},
          })
          const stubClient = axios.create({ baseURL: origin, adapter })
          return async () => (await stubClient.get(STUB_PATH)).data
        },
        close: async () => agent.destroy(),
      }
    },
  },
  {
    id: 'fl-fetch',
    name: 'fetchline fetch core',
    fetchline: true,
    note: "createClient({ baseURL, pool }) — the default 'fetch' core, no middleware. Stub: pool: { factory: () => stubDispatcher } (undici's fetch still runs; a custom `fetch` would pay an AbortSignal per attempt, see docs/performance.md).",
    setup: (ctx) => fetchlineRow(ctx, { core: 'fetch', full: false }),
  },
  {
    id: 'fl-fetch-full',
    name: 'fetchline fetch core + recommended()',
    fetchline: true,
    note: 'as above + middleware: recommended({ log: { logger } }), consola at info level with a silent reporter, no OpenTelemetry SDK.',
    setup: (ctx) => fetchlineRow(ctx, { core: 'fetch', full: true }),
  },
  {
    id: 'fl-undici',
    name: 'fetchline undici core',
    fetchline: true,
    note: "createClient({ baseURL, core: 'undici', pool }), no middleware. Stub: pool: { factory: () => stubDispatcher }.",
    setup: (ctx) => fetchlineRow(ctx, { core: 'undici', full: false }),
  },
  {
    id: 'fl-undici-full',
    name: 'fetchline undici core + recommended()',
    fetchline: true,
    note: 'as above + the full recommended() pipeline (same logger).',
    setup: (ctx) => fetchlineRow(ctx, { core: 'undici', full: true }),
  },
]

/**
 * The rows of a Bun or Deno line: the fetch core (bare and with recommended()) against ky and
 * ofetch, every one on the runtime's own fetch (no undici Agent; on Deno, whose npm resolution
 * would give fetchline undici's fetch, the client gets `fetch: globalThis.fetch`).
 * Stub: each gets the stub `fetch`.
 */
export const RUNTIME_ROWS = [
  {
    id: 'ofetch',
    name: 'ofetch',
    note: "ofetch.create({ baseURL }) over the runtime's fetch. Stub: createFetch with the stub fetch.",
    async setup({ origin }) {
      const { ofetch, createFetch } = await import('ofetch')
      const $fetch = ofetch.create({ baseURL: origin })
      return {
        get: () => $fetch('/json'),
        post: (payload) => $fetch('/echo', { method: 'POST', body: payload }),
        async stubSetup() {
          const $stub = createFetch({ fetch: stubFetch, Headers, AbortController }).create({ baseURL: origin })
          return () => $stub(STUB_PATH)
        },
        close: async () => {},
      }
    },
  },
  {
    id: 'ky',
    name: 'ky',
    note: "ky.create({ prefixUrl }) over the runtime's fetch (10 s timeout, GET retry: 2, unused). Stub: ky's fetch option.",
    async setup({ origin }) {
      const { default: ky } = await import('ky')
      const api = ky.create({ prefixUrl: origin })
      return {
        get: () => api.get('json').json(),
        post: (payload) => api.post('echo', { json: payload }).json(),
        async stubSetup() {
          const stubApi = ky.create({ prefixUrl: origin, fetch: stubFetch })
          return () => stubApi.get(STUB_PATH.slice(1)).json()
        },
        close: async () => {},
      }
    },
  },
  {
    id: 'fl-fetch',
    name: 'fetchline fetch core',
    fetchline: true,
    note: "createClient({ baseURL }) on the runtime's fetch, no middleware. Stub: fetch: stubFetch.",
    setup: (ctx) => runtimeFetchlineRow(ctx, false),
  },
  {
    id: 'fl-fetch-full',
    name: 'fetchline fetch core + recommended()',
    fetchline: true,
    note: 'as above + recommended({ log: { logger } }), consola at info level with a silent reporter.',
    setup: (ctx) => runtimeFetchlineRow(ctx, true),
  },
]

async function runtimeFetchlineRow({ origin }, full) {
  const { createClient, recommended } = await import('../dist/index.js')
  let middleware = () => ({})
  if (full) {
    const { createConsola } = await import('consola')
    const logger = createConsola({ level: 3, reporters: [{ log() {} }] })
    middleware = () => ({ middleware: recommended({ log: { logger } }) })
  }
  // Bun resolves fetchline's web transport (its own fetch); Deno resolves the Node one.
  const own = typeof globalThis.Deno === 'object' ? { fetch: globalThis.fetch } : {}
  const client = createClient({ baseURL: origin, ...own, ...middleware() })
  return {
    warmup: typeof client.warmup === 'function' ? (options) => client.warmup(options) : undefined,
    get: async () => (await client.get('/json')).data,
    post: async (payload) => (await client.post('/echo', { json: payload })).data,
    async stubSetup() {
      const stubClient = createClient({ baseURL: origin, fetch: stubFetch, ...middleware() })
      return async () => (await stubClient.get(STUB_PATH)).data
    },
    close: () => client.close(),
  }
}
