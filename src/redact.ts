/**
 * Pure redaction rules shared by everything that renders a request: errors, logs, spans, metrics.
 * Safety never depends on middleware order: every renderer applies the defaults below plus the
 * rules a request carries.
 */

/**
 * What a hidden value is replaced with. Names stay visible.
 *
 * @example
 * redactURL('https://h.test/?token=abc') // 'https://h.test/?token=' + REDACTED
 */
export const REDACTED = '***REDACTED***'

/**
 * Extra rules. In `deny` mode (the default) the listed names are hidden on top of the defaults;
 * in `allow` mode only the listed names are shown and every other value is hidden.
 *
 * @example
 * const rules: RedactionRules = { headers: ['x-tenant-signature'], query: [/^sign/i] }
 */
export type RedactionRules = {
  /** Header names (case-insensitive strings or patterns). */
  headers?: ReadonlyArray<string | RegExp>
  /** Query parameter names (case-insensitive strings or patterns). */
  query?: ReadonlyArray<string | RegExp>
  /** Keys whose values are hidden in logged JSON bodies. */
  bodyKeys?: ReadonlyArray<string | RegExp>
  /** @default 'deny' */
  mode?: 'deny' | 'allow'
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key'])
const SECRET_HEADER_PARTS = /token|secret|key|password|passwd|signature|session|auth|credential/i

// The OpenTelemetry HTTP semantic conventions name AWSAccessKeyId, Signature, sig and
// X-Goog-Signature as the minimum; OAuth 2.0 (RFC 6749) adds code, tokens and client_secret.
const SECRET_QUERY = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'secret',
  'appsecret',
  'client_secret',
  'api_key',
  'apikey',
  'key',
  'password',
  'passwd',
  'pwd',
  'signature',
  'sig',
  'code',
  'ticket',
  'auth',
  'session',
  'sessionid',
  'awsaccesskeyid',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
])
const SECRET_QUERY_PARTS = /token|secret|password|passwd|signature|api_?key|credential/i

function listed(name: string, list: ReadonlyArray<string | RegExp> | undefined): boolean {
  if (!list) return false
  const lower = name.toLowerCase()
  return list.some((rule) => (typeof rule === 'string' ? rule.toLowerCase() === lower : rule.test(name)))
}

/**
 * Whether the value of header `name` must be hidden under the defaults plus `rules`.
 *
 * @example
 * isSecretHeader('X-Auth-Token') // true
 * isSecretHeader('x-tenant', { headers: ['x-tenant'] }) // true
 */
export function isSecretHeader(name: string, rules?: RedactionRules): boolean {
  if (rules?.mode === 'allow') return !listed(name, rules.headers)
  const lower = name.toLowerCase()
  return SECRET_HEADERS.has(lower) || SECRET_HEADER_PARTS.test(lower) || listed(name, rules?.headers)
}

/**
 * Whether the value of query parameter `name` must be hidden under the defaults plus `rules`.
 *
 * @example
 * isSecretQueryParam('access_token') // true
 * isSecretQueryParam('page') // false
 */
export function isSecretQueryParam(name: string, rules?: RedactionRules): boolean {
  if (rules?.mode === 'allow') return !listed(name, rules.query)
  const lower = name.toLowerCase()
  return SECRET_QUERY.has(lower) || SECRET_QUERY_PARTS.test(lower) || listed(name, rules?.query)
}

/**
 * The URL as a string that is safe to show: userinfo removed, secret query values replaced.
 *
 * @example
 * redactURL('https://u:p@api.example.com/x?access_token=abc&page=2')
 * // 'https://api.example.com/x?access_token=***REDACTED***&page=2'
 */
export function redactURL(input: URL | string, rules?: RedactionRules): string {
  let url: URL
  if (typeof input === 'string') {
    try {
      url = new URL(input)
    } catch {
      return '[invalid URL]'
    }
  } else url = input
  const { search } = url
  // The common case — no userinfo, no fragment, no query — costs one getter.
  if (search.length < 2 && !url.hash && !url.username && !url.password) return url.href
  const base = url.origin === 'null' ? `${url.protocol}//${url.host}${url.pathname}` : `${url.origin}${url.pathname}`
  if (search.length < 2) return base
  const shown = search
    .slice(1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=')
      if (eq === -1) return part
      const rawName = part.slice(0, eq)
      let name = rawName
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '))
      } catch {
        // A malformed escape: judge the raw name.
      }
      return isSecretQueryParam(name, rules) ? `${rawName}=${REDACTED}` : part
    })
  // Secret-looking fragments (OAuth implicit flow: #access_token=…) are never shown.
  return `${base}?${shown.join('&')}`
}

/**
 * Headers as a plain object that is safe to show, names in lower case.
 *
 * @example
 * redactHeaders(new Headers({ authorization: 'Bearer abc', accept: 'application/json' }))
 * // { accept: 'application/json', authorization: '***REDACTED***' }
 */
export function redactHeaders(headers: Headers | Iterable<[string, string]>, rules?: RedactionRules): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of headers) {
    out[name] = isSecretHeader(name, rules) ? REDACTED : value
  }
  return out
}

/**
 * A middleware carrying this symbol (its rules) contributes them to every request of the client,
 * wherever it sits in the array: `createClient` gathers them once.
 *
 * @example
 * const rulesOnly = Object.assign(passThrough, { [REDACTION_RULES]: { query: ['tenant'] } })
 */
export const REDACTION_RULES: unique symbol = Symbol.for('fetchline.redaction.rules') as never

/**
 * Several rule sets as one: lists are joined; any `allow` set makes the whole allow-list mode.
 *
 * @example
 * mergeRules([{ query: ['tenant'] }, { headers: ['x-tenant'] }]) // both lists, deny mode
 */
export function mergeRules(sets: readonly RedactionRules[]): RedactionRules | undefined {
  if (sets.length === 0) return undefined
  if (sets.length === 1) return sets[0]
  const join = (key: 'headers' | 'query' | 'bodyKeys') => sets.flatMap((set) => set[key] ?? [])
  const mode = sets.some((set) => set.mode === 'allow') ? 'allow' : 'deny'
  return { headers: join('headers'), query: join('query'), bodyKeys: join('bodyKeys'), mode }
}

const SECRET_BODY_KEYS = /token|secret|password|passwd|api_?key|signature|credential|authorization|cookie|session|^code$|^key$|^sig$/i

/**
 * Whether the value under JSON key `name` must be hidden in a logged body.
 *
 * @example
 * isSecretBodyKey('client_secret') // true
 * isSecretBodyKey('pin', { bodyKeys: ['pin'] }) // true
 */
export function isSecretBodyKey(name: string, rules?: RedactionRules): boolean {
  if (rules?.mode === 'allow') return !listed(name, rules.bodyKeys)
  return SECRET_BODY_KEYS.test(name) || listed(name, rules?.bodyKeys)
}

/**
 * A JSON value with secret keys' values replaced, at any depth. Strings inside are scrubbed of
 * URL secrets too.
 *
 * @example
 * redactBody({ user: 'ada', password: 'x', nested: { access_token: 'y' } })
 * // { user: 'ada', password: '***REDACTED***', nested: { access_token: '***REDACTED***' } }
 */
export function redactBody(value: unknown, rules?: RedactionRules, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, rules)
  if (typeof value !== 'object' || value === null) return value
  if (depth > 20) return '[deep]'
  if (Array.isArray(value)) return value.map((item) => redactBody(item, rules, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretBodyKey(key, rules) ? REDACTED : redactBody(item, rules, depth + 1)
  }
  return out
}

/**
 * Free text (an error message, a stack) with every URL in it redacted.
 *
 * @example
 * scrubText('GET https://h.test/?token=abc failed') // 'GET https://h.test/?token=***REDACTED*** failed'
 */
export function scrubText(text: string, rules?: RedactionRules): string {
  return text.includes('://') ? text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (url) => redactURL(url, rules)) : text
}
