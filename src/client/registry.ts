import { ClientClosedError } from '../errors/errors.js'

/** Anything a registry can hold: a client, a service client, or any object with `close()`. */
export type Closable = { close(): Promise<void> | void }

/** A typed, lazy container of clients for an app; see {@link createRegistry}. */
export type Registry<F extends Record<string, () => Closable>> = {
  /** The instance for `name`, created on first use; the same instance afterwards. */
  get<K extends keyof F & string>(name: K): ReturnType<F[K]>
  /** Whether `name` was created already. */
  has(name: keyof F & string): boolean
  /** Closes every created instance, newest first (a client waits for its requests and `operation()`s in flight); later `get` calls throw. Idempotent. */
  closeAll(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * The dependency container of an app: one factory per client, created lazily and shared, closed
 * together on shutdown (a web framework's `onClose`/lifespan hook calls `closeAll`).
 *
 * @example
 * const clients = createRegistry({
 *   payments: () => createClient({ baseURL: process.env.PAYMENTS_URL! }),
 *   wechat: () => createWeChatClient({ appId, appSecret }),
 * })
 * await clients.get('payments').get('/balance')
 * process.on('SIGTERM', () => clients.closeAll())
 */
export function createRegistry<F extends Record<string, () => Closable>>(factories: F): Registry<F> {
  if (typeof factories !== 'object' || factories === null) {
    throw new TypeError('createRegistry needs an object of factories such as { api: () => createClient({ baseURL }) }')
  }
  for (const [name, factory] of Object.entries(factories)) {
    if (typeof factory !== 'function') throw new TypeError(`createRegistry: factory "${name}" must be a function returning a client`)
  }
  const created = new Map<string, Closable>()
  let closing: Promise<void> | undefined

  function get<K extends keyof F & string>(name: K): ReturnType<F[K]> {
    if (closing) throw new ClientClosedError()
    const existing = created.get(name)
    if (existing) return existing as ReturnType<F[K]>
    const factory = Object.hasOwn(factories, name) ? factories[name] : undefined
    if (!factory) {
      throw new TypeError(`createRegistry: no client named "${name}"; known: ${Object.keys(factories).join(', ')}`)
    }
    const instance = factory()
    if (!instance || typeof instance.close !== 'function') {
      throw new TypeError(`createRegistry: factory "${name}" must return an object with close(), got ${typeof instance}`)
    }
    created.set(name, instance)
    return instance as ReturnType<F[K]>
  }

  function closeAll(): Promise<void> {
    closing ??= (async () => {
      const failures: unknown[] = []
      for (const instance of [...created.values()].reverse()) {
        try {
          await instance.close()
        } catch (error) {
          failures.push(error)
        }
      }
      if (failures.length) throw new AggregateError(failures, `closing ${failures.length} client(s) failed`)
    })()
    return closing
  }

  return { get, has: (name) => created.has(name), closeAll, [Symbol.asyncDispose]: closeAll }
}
