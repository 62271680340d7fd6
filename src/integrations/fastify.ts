// fetchline-http/fastify: a Fastify plugin that hands routes a registry of clients and closes them
// when the server closes. Node only (Fastify runs on Node).
import type { FastifyInstance } from 'fastify'
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
