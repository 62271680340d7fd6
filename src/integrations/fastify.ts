// fetchline-http/fastify: a Fastify plugin that hands routes a registry of clients and closes them
// when the server closes. Node only (Fastify runs on Node).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isSignatureError } from '../client/error-guards.js'
import type { Closable, Registry } from '../client/registry.js'
import { checkKeys } from '../core/options.js'

/**
 * Options of {@link fetchlinePlugin}.
 *
 * @example
 * await app.register(fetchlinePlugin, { registry: clients })
 */
export type FetchlinePluginOptions<F extends Record<string, () => Closable>> = {
  /** The app's clients: `createRegistry({ … })`. */
  registry: Registry<F>
  /** The name the registry is decorated as, on the app and on each request. @default 'clients' */
  decorate?: string
}

/**
 * A Fastify plugin: decorates the app (and each request) with the registry, so routes reach
 * `app.clients.get('wechat')`, and closes every created client in `onClose` — Fastify runs it
 * after the server stopped taking requests and the in-flight ones finished, and each client's
 * `close()` lets its own in-flight calls finish too. Fastify is an optional peer: only this
 * entry point (`fetchline-http/fastify`) touches it, and only its types.
 *
 * @example
 * const clients = createRegistry({ wechat: () => createWeChatClient(settings.wechat) })
 * const app = Fastify()
 * await app.register(fetchlinePlugin, { registry: clients })
 * app.post('/notify', async (req) => req.server.clients.get('wechat').sendTemplateMessage(…))
 */
export async function fetchlinePlugin<F extends Record<string, () => Closable>>(
  app: FastifyInstance,
  options: FetchlinePluginOptions<F>,
): Promise<void> {
  // Fastify's own register options (prefix, logLevel, logSerializers) arrive here too.
  checkKeys('fetchlinePlugin', options, ['registry', 'decorate', 'prefix', 'logLevel', 'logSerializers'])
  const { registry } = options
  if (!registry || typeof registry.get !== 'function' || typeof registry.closeAll !== 'function') {
    throw new TypeError('fetchlinePlugin needs { registry }: the result of createRegistry({ … })')
  }
  const name = options.decorate ?? 'clients'
  app.decorate(name, registry)
  app.decorateRequest(name, { getter: () => registry })
  app.addHook('onClose', async () => {
    await registry.closeAll()
  })
}

// What fastify-plugin does, without the dependency: the decoration escapes the plugin's
// encapsulation context, so the whole app sees it.
Object.assign(fetchlinePlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'fetchline',
  [Symbol.for('plugin-meta')]: { name: 'fetchline', fastify: '5.x' },
})

/** Anything that verifies a signed callback over its raw body: `createWeChatPayClient(…)`. */
export type NotificationVerifier<E> = {
  parseNotification(headers: FastifyRequest['headers'], rawBody: Uint8Array): Promise<E>
}

/**
 * Options of {@link notificationRoute}.
 *
 * @example
 * notificationRoute(app, { url: '/wechatpay/notify', verifier: pay, handler: async (event) => orders.paid(event.resource) })
 */
export type NotificationRouteOptions<E> = {
  /** The route's path (the `notify_url` given to the vendor). */
  url: string
  verifier: NotificationVerifier<E>
  /** Runs once the callback verified; a throw answers 500, so the vendor sends it again. */
  handler: (event: E, request: FastifyRequest) => unknown
}

/**
 * A POST route for a signed vendor callback (WeChat Pay's payment and refund notifications): the
 * body reaches the verifier as the raw bytes received (its own encapsulated JSON parser keeps the
 * buffer, so nothing is re-serialised before verification), a `SignatureError` answers 401
 * `{ code: 'FAIL' }` (WeChat Pay sends the notification again later), success answers 204.
 *
 * @example
 * const pay = createWeChatPayClient(settings.wechatpay)
 * notificationRoute(app, { url: '/wechatpay/notify', verifier: pay, handler: async ({ resource }) => markPaid(resource.out_trade_no) })
 */
export function notificationRoute<E>(app: FastifyInstance, options: NotificationRouteOptions<E>): void {
  checkKeys('notificationRoute', options, ['url', 'verifier', 'handler'])
  if (typeof options.verifier?.parseNotification !== 'function') {
    throw new TypeError('notificationRoute needs { verifier }: a client with parseNotification, e.g. createWeChatPayClient(…)')
  }
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    scope.post(options.url, async (request, reply) => {
      const raw = request.body instanceof Uint8Array ? request.body : new Uint8Array(0)
      let event: E
      try {
        event = await options.verifier.parseNotification(request.headers, raw)
      } catch (error) {
        if (!isSignatureError(error)) throw error
        request.log.warn({ reason: error.reason, serial: error.serial }, 'callback failed verification')
        return reply.code(401).send({ code: 'FAIL', message: 'signature verification failed' })
      }
      await options.handler(event, request)
      return reply.code(204).send()
    })
  })
}
