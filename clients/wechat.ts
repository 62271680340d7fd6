import { recommended } from '../middleware/recommended.js'
import type { RetryContext } from '../middleware/retry-policy.js'
import { isClientError } from '../src/client/error-guards.js'
import { checkKeys } from '../src/core/options.js'
import { ClientError } from '../src/errors/errors.js'
import { createTokenCache, type TokenStore } from '../src/features/token-cache.js'
import type { ClientRequest, FetchFunction, Middleware } from '../src/index.js'
import { type Client, type ClientOptions, createClient, type OperationClient } from '../src/index.js'

/**
 * WeChat answered HTTP 200 with a non-zero `errcode`. The message names the code and WeChat's
 * own `errmsg`; never the token or the secret.
 *
 * @example
 * catch (error) {
 *   if (isWeChatError(error) && error.errcode === 43004) // the user has not followed the account
 * }
 */
export class WeChatError extends ClientError {
  override name = 'WeChatError'
  readonly errcode: number
  readonly errmsg: string

  constructor(request: ClientRequest, errcode: number, errmsg: string) {
    super(`WeChat ${request.method} ${request.url.pathname} failed: errcode ${errcode} (${errmsg})`, { code: 'FL_ERR_WECHAT', request })
    this.errcode = errcode
    this.errmsg = errmsg
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errcode: this.errcode, errmsg: this.errmsg }
  }
}

/**
 * Whether `error` is a {@link WeChatError} (also from another installed copy).
 *
 * @example
 * catch (error) { if (isWeChatError(error) && error.errcode === 43004) return 'not subscribed' }
 */
export const isWeChatError = (error: unknown): error is WeChatError =>
  isClientError(error) && (error as { code?: unknown }).code === 'FL_ERR_WECHAT'

/** errcodes meaning "this access_token is no good": invalid, not the latest, expired. */
const TOKEN_REJECTED = new Set([40001, 40014, 42001])

/**
 * A retry policy: WeChat's errcode -1 ("system busy") is worth another try, even for a POST.
 *
 * @example
 * createWeChatClient({ appId, appSecret, middleware: recommended({ retry: { shouldRetry: retryWeChatBusy } }) })
 */
export const retryWeChatBusy = ({ error }: RetryContext): boolean | undefined =>
  isWeChatError(error) && error.errcode === -1 ? true : undefined

/** Turns `{ errcode: n, errmsg }` answers (HTTP 200) into `WeChatError`s, inside the pipeline so retry sees them. */
const wechatErrors: Middleware = async function wechatErrors(request, next) {
  const response = await next(request)
  const body = response.data as { errcode?: unknown; errmsg?: unknown } | undefined
  if (typeof body?.errcode === 'number' && body.errcode !== 0) throw new WeChatError(request, body.errcode, String(body.errmsg ?? ''))
  return response
}

/**
 * Options of {@link createWeChatClient}.
 *
 * @example
 * const options: WeChatClientOptions = { appId: 'wx123', appSecret: process.env.WECHAT_APP_SECRET! }
 */
export type WeChatClientOptions = {
  appId: string
  appSecret: string
  /** @default 'https://api.weixin.qq.com' */
  baseURL?: string
  /** The pipeline. @default recommended(), retrying errcode -1 */
  middleware?: readonly Middleware[]
  /** Where the access token lives; share one (Redis) across instances. @default in memory */
  tokenStore?: TokenStore
  /** A fetch double for tests. */
  fetch?: FetchFunction
  /** Options of the client's pool. */
  pool?: ClientOptions['pool']
  /** A forward proxy (`'http://user:pass@egress:3128'` or `'env'`): the fixed-IP egress WeChat's allow-list names. */
  proxy?: ClientOptions['proxy']
}

/** What {@link createWeChatClient} returns: plain async methods, `health()` and `close()`. */
export type WeChatClient = {
  /** A valid access token (cached; fetched once for concurrent callers). */
  getAccessToken(): Promise<string>
  /** Sends a template message; resolves to WeChat's `msgid`. */
  sendTemplateMessage(message: TemplateMessage): Promise<{ msgid: number }>
  health: Client['health']
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** A template message: `data` values may be plain strings. */
export type TemplateMessage = {
  openid: string
  templateId: string
  data: Record<string, string | { value: string; color?: string }>
  url?: string
  miniprogram?: { appid: string; pagepath?: string }
}

/**
 * The WeChat Official Account API: access tokens cached until shortly before `expires_in`,
 * fetched once for any number of concurrent callers (and once fleet-wide with a shared
 * `tokenStore`), refreshed and replayed once when WeChat rejects a token (40001, 40014, 42001);
 * other errcodes reject with `WeChatError`; errcode -1 is retried with backoff. The secret and
 * the token travel in the query string, and the redaction defaults hide both everywhere.
 *
 * @example
 * await using wechat = createWeChatClient({ appId: 'wx123', appSecret })
 * await wechat.sendTemplateMessage({ openid, templateId: 'TPL', data: { content: 'Your order shipped' } })
 */
export function createWeChatClient(options: WeChatClientOptions): WeChatClient {
  for (const name of ['appId', 'appSecret'] as const) {
    if (typeof options?.[name] !== 'string' || options[name] === '')
      throw new TypeError(`createWeChatClient needs ${name}: from the WeChat admin console`)
  }
  checkKeys('createWeChatClient', options, ['appId', 'appSecret', 'baseURL', 'middleware', 'tokenStore', 'fetch', 'pool', 'proxy'])
  const { appId, appSecret } = options
  const client: Client = createClient({
    baseURL: options.baseURL ?? 'https://api.weixin.qq.com',
    // No idempotency keys (recommended()'s default): WeChat ignores them, so a failed send stays
    // unretried unless it provably never left.
    middleware: [...(options.middleware ?? recommended({ retry: { shouldRetry: retryWeChatBusy } })), wechatErrors],
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pool ? { pool: options.pool } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
  })
  // Every method is one client.operation(): close() waits for a send's token fetch and the send
  // itself, and the token is fetched through the operation's client.
  const tokens = createTokenCache<OperationClient>({
    key: `wechat:token:${appId}`,
    ...(options.tokenStore ? { store: options.tokenStore } : {}),
    fetchToken: async (api) => {
      const query = { grant_type: 'client_credential', appid: appId, secret: appSecret }
      const { data } = await api.get<{ access_token: string; expires_in: number }>('/cgi-bin/token', { query })
      return { token: data.access_token, expiresIn: data.expires_in }
    },
  })
  const rejected = (error: unknown): boolean => isWeChatError(error) && TOKEN_REJECTED.has(error.errcode)
  // The first try's token rejection is ours to recover from (refresh, replay): marked handled,
  // log() writes it below error. The replay's is not.
  const firstTry = { handled: rejected }

  return {
    /** A valid access token (cached; fetched once for concurrent callers). */
    getAccessToken: (): Promise<string> => client.operation((api) => tokens.get(api)),
    /** Sends a template message; resolves to WeChat's `msgid`. */
    sendTemplateMessage: (message: TemplateMessage): Promise<{ msgid: number }> =>
      client.operation((api) =>
        tokens.withToken(
          async (access_token, replay) => {
            const data = Object.fromEntries(Object.entries(message.data).map(([k, v]) => [k, typeof v === 'string' ? { value: v } : v]))
            const json = {
              touser: message.openid,
              template_id: message.templateId,
              url: message.url,
              miniprogram: message.miniprogram,
              data,
            }
            const res = await api.post<{ msgid: number }>('/cgi-bin/message/template/send', {
              query: { access_token },
              json,
              ...(replay ? {} : { context: firstTry }),
            })
            return { msgid: res.data.msgid }
          },
          rejected,
          api,
        ),
      ),
    health: client.health,
    close: client.close,
    [Symbol.asyncDispose]: client.close,
  }
}
