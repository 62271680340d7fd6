// npm run demo: fetchline against a local fake service, no network needed.

import { createConsola } from 'consola'
import { type ClientError, createClient, isCircuitOpenError, isHTTPError, isNetworkError, isTimeoutError, recommended } from 'fetchline'
import { createExampleClient } from 'fetchline/clients/example'
import { deadPort, startFakeService } from './fake-service.js'

const service = await startFakeService()
const step = (title: string): void => console.log(`\n▸ ${title}`)

step(`a local fake service is listening on ${service.url}`)

// A service client: typed methods over one shared, pooled client.
{
  await using users = createExampleClient({ apiKey: 'demo-key', baseURL: service.url })
  step('createExampleClient → getUser(1), listUsers(), createUser()')
  console.log('  getUser(1)   →', await users.getUser(1))
  console.log(
    '  listUsers()  →',
    (await users.listUsers({ page: 1, pageSize: 10 })).items.map((u) => u.name),
  )
  console.log('  createUser() →', await users.createUser({ name: 'Barbara Liskov', email: 'barbara@example.com' }))
}

// The bare client, both cores.
for (const core of ['fetch', 'undici'] as const) {
  await using api = createClient({ baseURL: service.url, core, headers: { 'x-api-key': 'demo-key' }, pool: { connections: 8 } })
  step(`createClient({ core: '${core}' })`)
  const started = performance.now()
  const pages = await Promise.all(Array.from({ length: 50 }, () => api.get<{ total: number }>('/users', { query: { page: 1 } })))
  console.log(`  50 concurrent GETs over ≤ 8 sockets: ${pages.length} answers in ${(performance.now() - started).toFixed(1)} ms`)
  const token = await api.post<{ access_token: string }>('/oauth/token', { form: { grant_type: 'client_credentials', client_id: 'demo' } })
  console.log('  form POST /oauth/token →', token.status, token.data)
}

await using api = createClient({ baseURL: service.url, headers: { 'x-api-key': 'demo-key', authorization: 'Bearer sk-live-do-not-print' } })

step('failures are typed, and never show a secret')
const show = (error: unknown): void => {
  const e = error as ClientError
  console.log(`  ${e.name} [${e.code}]: ${e.message}`)
}
await api.get('/users/{id}', { params: { id: 99 }, query: { access_token: 'SECRET-TOKEN' } }).catch((error) => {
  show(error)
  if (isHTTPError(error)) console.log('  parsed error body →', error.data)
})
await api.get('/slow', { timeout: 200 }).catch((error) => isTimeoutError(error) && show(error))
await api.get('/html').catch(show)
await using dead = createClient({ baseURL: `http://127.0.0.1:${await deadPort()}` })
await dead.get('/x', { query: { secret: 'APP-SECRET' } }).catch((error) => isNetworkError(error) && show(error))

step('recommended(): redact, timeout, idempotency, retry, breaker, trace, log (one line per entry here)')
{
  // log() writes to consola; this reporter prints one short line per entry. A JSON reporter
  // would print the fields instead: see the README's Observability section.
  const logger = createConsola({ level: 3, reporters: [{ log: (e) => console.log(`  ${e.type.padEnd(5)} ${e.args[0]}`) }] })
  await using resilient = createClient({
    baseURL: service.url,
    middleware: recommended({
      retry: { delay: 100 },
      health: { failureThreshold: 4, cooldown: 5_000, onStateChange: (e) => console.log(`  breaker ${e.from} → ${e.to}: ${e.reason}`) },
      log: { logger },
    }),
  })
  console.log('  GET /flaky →', (await resilient.get('/flaky')).data)
  await resilient.get('/down').catch(show)
  await resilient.get('/down').catch((error) => isCircuitOpenError(error) && show(error))
  const { state, consecutiveFailures, failureRate } = (await resilient.health()).breaker ?? {}
  console.log('  health().breaker →', { state, consecutiveFailures, failureRate })
}

step('client.health() never throws')
console.log('  live  →', await api.health())
console.log('  dead  →', await dead.health())

step('bad options fail at once, saying what to fix')
for (const attempt of [
  () => createClient({ baseURL: 'api.example.com' }),
  () => createClient({ baseURL: service.url, middleware: ['retry'] as never }),
]) {
  try {
    attempt()
  } catch (error) {
    console.log(`  ${(error as Error).message}`)
  }
}
await api.post('/users', { json: {}, form: { a: 1 } }).catch((error: Error) => console.log(`  ${error.message}`))

await service.close()
console.log(`\n✓ done: ${service.hits()} requests served; clients closed by \`await using\``)
