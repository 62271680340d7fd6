// The `proxy` option on Node: undici's ProxyAgent (one proxy URL) or EnvHttpProxyAgent
// (HTTP_PROXY / HTTPS_PROXY / NO_PROXY), owned and closed by the client. The proxy URL's
// credentials become the Proxy-Authorization header undici sends to the proxy; every message
// here shows the URL without them.
import { type Agent, type Dispatcher, EnvHttpProxyAgent, Pool, ProxyAgent } from 'undici'
import { describe } from '../core/options.js'
import { connectOptions } from './connect.js'

/** What `proxy` accepts: `'env'`, or the proxy's http(s) URL, credentials in its userinfo. */
export type ProxyOption = 'env' | (string & {}) | URL

const EXAMPLE = "'http://user:pass@proxy.internal:3128'"

/** The variables EnvHttpProxyAgent reads, lower case first as it does. */
const ENV = [
  ['http_proxy', 'HTTP_PROXY'],
  ['https_proxy', 'HTTPS_PROXY'],
] as const

/**
 * Checks `proxy` (and the `HTTP_PROXY`/`HTTPS_PROXY` it stands for with `'env'`) at client
 * creation, with messages that say what to fix and never show the proxy's credentials.
 *
 * @example
 * checkProxy('http://user:pass@proxy.internal:3128', { connections: 10 })
 */
export function checkProxy(proxy: unknown, pool: Agent.Options | undefined): void {
  if (proxy === undefined) return
  if (proxy === 'env') {
    for (const [lower, upper] of ENV) {
      const name = process.env[lower] !== undefined ? lower : upper
      const value = process.env[name]
      if (value) proxyURL(value, `proxy: 'env' reads ${name}, which`)
    }
  } else proxyURL(proxy, 'proxy')
  if (typeof pool?.connect === 'function') {
    throw new TypeError(
      'pool.connect cannot be a function with proxy: the proxy agent makes the connections itself; pass TLS options as pool.connect: { ca, cert, key }, or bring your own dispatcher',
    )
  }
}

/**
 * The proxy URL, parsed and checked: an absolute http(s) URL. A URL object is taken as it is.
 * `what` names the setting in the message ("proxy", or the environment variable).
 */
function proxyURL(value: unknown, what: string): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError(`proxy must be 'env' or the proxy's http(s) URL, such as ${EXAMPLE} (a string or a URL), got ${describe(value)}`)
  }
  let url: URL
  try {
    url = value instanceof URL ? value : new URL(value)
  } catch {
    throw new TypeError(
      `${what} must be an absolute http(s) URL such as ${EXAMPLE}, got '${showProxy(value as string)}', which is not a URL`,
    )
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new TypeError(
      `${what} must be an http:// or https:// URL with a host, such as ${EXAMPLE}, got '${showProxy(url.href)}'; for another kind of proxy (SOCKS), pass your own dispatcher`,
    )
  }
  return url
}

/**
 * A proxy URL as it may be shown: any userinfo becomes `***`, even in a string that is not a URL.
 *
 * @example
 * showProxy('http://user:pass@proxy.internal:3128') // 'http://***@proxy.internal:3128'
 */
export function showProxy(text: string): string {
  return text.replace(/^([a-z][\w+.-]*:\/\/)?[^/?#]*@/i, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`)
}

/**
 * The dispatcher for `proxy`, owned by the client. The `pool` options reach the pools the agent
 * makes (to the origins through tunnels, and to the proxy for plain HTTP); `pool.connect` (and the
 * other TLS options) apply to the origin's TLS inside the CONNECT tunnel (`requestTls`).
 * Plain-HTTP requests are sent to the proxy in absolute form (`GET http://origin/path`), as curl
 * and most proxies expect; HTTPS goes through a CONNECT tunnel.
 *
 * @example
 * const dispatcher = openProxy('env', { connections: 20 })
 */
export function openProxy(proxy: ProxyOption, pool: Agent.Options | undefined): Dispatcher {
  const { socketPath: _path, useH2c: _h2c, ...requestTls } = connectOptions(pool) as Record<string, unknown>
  const options = {
    ...pool,
    requestTls,
    proxyTunnel: false,
    // Also the factory of the pool to the proxy for plain HTTP, which undici otherwise makes
    // with no options: `connections`, keep-alive and timeouts apply there too.
    factory: (origin: string | URL, opts: object) => new Pool(origin, { ...pool, ...opts }),
  } as unknown as ProxyAgent.Options
  if (proxy === 'env') return new EnvHttpProxyAgent(options)
  return new ProxyAgent({ ...options, uri: proxyURL(proxy, 'proxy').href })
}
