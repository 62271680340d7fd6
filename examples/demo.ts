// npm run demo: fetchline against local fake services (a users API and WeChat); no network needed.
import { BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { consola, createConsola } from 'consola'
import {
  type ClientError,
  createClient,
  isCircuitOpenError,
  isHTTPError,
  isNetworkError,
  isTimeoutError,
  isValidationError,
  recommended,
} from 'fetchline-http'
import { createExampleClient } from 'fetchline-http/clients/example'
import { createWeChatClient, retryWeChatBusy } from 'fetchline-http/clients/wechat'
import { deadPort, startFakeService } from './fake-service.js'
import { startFakeWeChat } from './fake-wechat.js'

const started = performance.now()
const service = await startFakeService()
const wechat = await startFakeWeChat()
const step = (title: string): void => console.log(`\n\x1b[1m▸ ${title}\x1b[0m`)
const show = (error: unknown): void => {
  const e = error as ClientError
  console.log(`  → ${e.name} [${e.code}]: ${e.message}`)
}
// One short line per log entry for most sections; the first section shows consola's own output.
const brief = createConsola({ level: 3, reporters: [{ log: (e) => console.log(`  ${e.type.padEnd(5)} ${e.args[0]}`) }] })

step(`fake services on ${service.url} (users API) and ${wechat.url} (WeChat)`)

step('the example client, full pipeline, consola at debug: secrets are masked where lines are made')
{
  const logger = consola.withTag('fetchline').create({ level: 4 })
  await using users = createExampleClient({ apiKey: 'demo-key', baseURL: service.url, middleware: recommended({ log: { logger } }) })
  console.log('  getUser(1) →', await users.getUser(1))
}
{
  await using users = createExampleClient({ apiKey: 'demo-key', baseURL: service.url, middleware: recommended({ log: { logger: brief } }) })
  console.log(
    '  listUsers() →',
    (await users.listUsers({ page: 1, pageSize: 10 })).items.map((u) => u.name),
  )
  console.log('  createUser() →', await users.createUser({ name: 'Barbara Liskov', email: 'barbara@example.com' }))
  await users.getUser(13).catch((error) => isValidationError(error) && show(error))
}

step('resilience: a 503 then success, a 429 with Retry-After, a timeout, a circuit breaker')
{
  await using api = createClient({
    baseURL: service.url,
    middleware: recommended({
      timeout: { attempt: 500 },
      retry: { delay: 100, maxRetries: 3 },
      health: { failureThreshold: 4, cooldown: 5_000, onStateChange: (e) => console.log(`  breaker ${e.from} → ${e.to}: ${e.reason}`) },
      log: { logger: brief },
    }),
  })
  console.log('  GET /flaky →', (await api.get('/flaky')).data)
  console.log('  GET /rate-limited →', (await api.get('/rate-limited')).data)
  await api.get('/down').catch(show)
  await api.get('/down').catch((error) => isCircuitOpenError(error) && show(error))
  const { state, consecutiveFailures } = (await api.health()).breaker ?? {}
  console.log('  health().breaker →', { state, consecutiveFailures })
}
{
  await using api = createClient({
    baseURL: service.url,
    middleware: recommended({ retry: { maxRetries: 1, delay: 100 }, log: { logger: brief } }),
  })
  await api.get('/slow', { timeout: 300 }).catch((error) => isTimeoutError(error) && show(error))
}

step('WeChat: 20 concurrent sends share one token fetch; a revoked token is refreshed and the send replayed')
const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new ConsoleSpanExporter())] })
provider.register()
{
  const logger = createConsola({
    level: 3,
    reporters: [{ log: (e) => e.type !== 'info' && console.log(`  ${e.type.padEnd(5)} ${e.args[0]}`) }],
  })
  await using client = createWeChatClient({
    appId: wechat.appId,
    appSecret: wechat.appSecret,
    baseURL: wechat.url,
    middleware: recommended({ log: { logger }, trace: false, retry: { shouldRetry: retryWeChatBusy } }), // keep the default's errcode -1 retry
  })
  const message = { openid: 'o-demo-user', templateId: 'TPL-ORDER', data: { content: 'Your order has shipped' } }
  await Promise.all(Array.from({ length: 20 }, () => client.sendTemplateMessage(message)))
  console.log(`  20 messages sent, ${wechat.state.tokenFetches} token fetch`)
  wechat.revokeToken()
  console.log('  after a revoke →', await client.sendTemplateMessage(message), `(token fetches: ${wechat.state.tokenFetches})`)
}
step("…and one traced send: the spans, as sdk-trace-node's ConsoleSpanExporter prints them (url.full redacted)")
{
  await using client = createWeChatClient({
    appId: wechat.appId,
    appSecret: wechat.appSecret,
    baseURL: wechat.url,
    middleware: recommended({ log: false, retry: { shouldRetry: retryWeChatBusy } }),
  })
  await client.sendTemplateMessage({ openid: 'o-demo-user', templateId: 'TPL-ORDER', data: { content: 'Traced' } })
  await provider.forceFlush()
}
await provider.shutdown()

step('failures are typed, and never show a secret')
{
  await using api = createClient({
    baseURL: service.url,
    headers: { 'x-api-key': 'demo-key', authorization: 'Bearer sk-live-do-not-print' },
  })
  await api.get('/users/{id}', { params: { id: 99 }, query: { access_token: 'SECRET-TOKEN' } }).catch((error) => {
    show(error)
    if (isHTTPError(error)) console.log('    parsed error body →', error.data)
  })
  await api.get('/html').catch(show)
  await using dead = createClient({ baseURL: `http://127.0.0.1:${await deadPort()}` })
  await dead.get('/x', { query: { secret: 'APP-SECRET' } }).catch((error) => isNetworkError(error) && show(error))

  step('client.health() never throws')
  console.log('  live →', await api.health())
  console.log('  dead →', await dead.health())
}

step('bad options fail at once, saying what to fix')
for (const attempt of [
  () => createClient({ baseURL: 'api.example.com' }),
  () => createClient({ baseURL: service.url, middleware: ['retry'] as never }),
]) {
  try {
    attempt()
  } catch (error) {
    console.log(`  → ${(error as Error).message}`)
  }
}
{
  await using api = createClient({ baseURL: service.url })
  await api.post('/users', { json: {}, form: { a: 1 } }).catch((error: Error) => console.log(`  → ${error.message}`))
  await api.get('/users', { timeout: -1 }).catch((error: Error) => console.log(`  → ${error.message}`))
}

await Promise.all([service.close(), wechat.close()])
console.log(
  `\n✓ done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${service.hits()} requests to the users API, ${wechat.state.sends} sends to WeChat; every client closed by \`await using\``,
)
