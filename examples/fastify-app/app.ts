// A Fastify app that calls WeChat through fetchline: the Python guide's FastAPI example
// (dependency injection + lifespan), in Node terms.
import Fastify from 'fastify'
import { createRegistry, recommended } from 'fetchline-http'
import { createWeChatClient, retryWeChatBusy } from 'fetchline-http/clients/wechat'
import { fetchlinePlugin } from 'fetchline-http/fastify'
import type { Settings } from '../settings.js'

/** The app's clients: created on first use, shared, closed on shutdown. */
export function createClients(settings: Settings) {
  const middleware = () =>
    recommended({
      timeout: settings.http.timeout,
      retry: { maxRetries: settings.http.maxRetries, shouldRetry: retryWeChatBusy },
      trace: settings.otelEnabled ? {} : false,
    })
  const { templateId: _, ...wechat } = settings.wechat // templateId is the app's, not a client option
  return createRegistry({
    wechat: () => createWeChatClient({ ...wechat, middleware: middleware() }),
  })
}
type Clients = ReturnType<typeof createClients>

declare module 'fastify' {
  interface FastifyInstance {
    clients: Clients
  }
}

/** Builds the app; `listen` is the caller's (server.ts), so tests can `inject`. */
export async function buildApp(settings: Settings, clients: Clients = createClients(settings)) {
  const app = Fastify({ logger: false })
  await app.register(fetchlinePlugin, { registry: clients })

  app.post<{ Body: { openid: string; message: string } }>(
    '/wechat/send-message',
    {
      schema: {
        body: { type: 'object', required: ['openid', 'message'], properties: { openid: { type: 'string' }, message: { type: 'string' } } },
      },
    },
    async (request) => {
      const { openid, message } = request.body
      const result = await app.clients
        .get('wechat')
        .sendTemplateMessage({ openid, templateId: settings.wechat.templateId, data: { content: message } })
      return { success: true, result }
    },
  )
  app.get('/health/wechat', async () => app.clients.get('wechat').health())
  return app
}
