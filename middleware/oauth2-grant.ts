// The pure parts of oauth2(): the client-credentials request (RFC 6749 §4.4) and reading its
// answer (§5.1, §5.2). No I/O: auth.ts sends the request.

import type { ClientRequest } from '../src/core/types.js'
import { OAuth2Error } from '../src/errors/errors.js'
import type { IssuedToken } from '../src/features/token-cache.js'
import { REDACTED } from '../src/redact/redact.js'

/**
 * RFC 6749 Appendix B's form-urlencoding (HTML 4.01: every character but letters and digits
 * escaped, a space as `+`), which §2.3.1 asks for on the client id and secret before they are
 * joined for HTTP Basic. `encodeURIComponent` leaves `!'()*` alone: those are escaped too, as
 * simple-oauth2 does in its default (strict) mode, so a secret holding `:` or `+` survives.
 *
 * @example
 * formEncode("I'm a secret!") // 'I%27m+a+secret%21'
 */
export function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

/**
 * The `Authorization` value of client authentication by HTTP Basic (RFC 6749 §2.3.1).
 *
 * @example
 * basicCredentials('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') // 'Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3'
 */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const pair = new TextEncoder().encode(`${formEncode(clientId)}:${formEncode(clientSecret)}`)
  let binary = ''
  for (const byte of pair) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}` // btoa, not Buffer: this runs on Workers too
}

/** What goes in the form body of a token request. */
export type GrantFields = {
  clientId: string
  clientSecret: string
  clientAuth: 'basic' | 'body'
  scope: string | undefined
  audience: string | undefined
  params: Readonly<Record<string, string>> | undefined
}

/**
 * The form body of a client-credentials token request: `grant_type`, `scope` and `audience` when
 * set, the extra `params`, and the client's id and secret when it authenticates in the body.
 *
 * @example
 * grantForm({ clientId: 'a', clientSecret: 's', clientAuth: 'basic', scope: 'read', audience: undefined, params: undefined })
 * // 'grant_type=client_credentials&scope=read'
 */
export function grantForm(fields: GrantFields): string {
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (fields.scope !== undefined) form.set('scope', fields.scope)
  if (fields.audience !== undefined) form.set('audience', fields.audience)
  for (const [name, value] of Object.entries(fields.params ?? {})) form.set(name, value)
  if (fields.clientAuth === 'body') {
    form.set('client_id', fields.clientId)
    form.set('client_secret', fields.clientSecret)
  }
  return form.toString()
}

/**
 * The store key of a token: who asked (token URL, client id) for what (scope, audience, params),
 * each part escaped so that no two differ only in where a separator falls. Never the secret.
 *
 * @example
 * tokenKey('https://auth.example.com/oauth/token', 'billing', 'read', undefined, undefined)
 * // 'oauth2:https%3A%2F%2Fauth.example.com%2Foauth%2Ftoken:billing:read:'
 */
export function tokenKey(
  tokenURL: string,
  clientId: string,
  scope: string | undefined,
  audience: string | undefined,
  params: Readonly<Record<string, string>> | undefined,
): string {
  const extra = params ? new URLSearchParams(Object.entries(params).sort()).toString() : ''
  return ['oauth2', tokenURL, clientId, scope ?? '', audience ?? '', ...(extra ? [extra] : [])].map(encodeURIComponent).join(':')
}

/** Reads a token endpoint's answer: a JSON object, or the form-encoded one some older servers send. */
function fields(data: unknown): Record<string, unknown> | undefined {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as Record<string, unknown>
  if (typeof data !== 'string') return undefined
  try {
    const parsed: unknown = JSON.parse(data)
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return data.includes('=') ? Object.fromEntries(new URLSearchParams(data)) : undefined
  }
}

/** `text` with every secret cut out: an endpoint may echo what it was sent. */
function without(text: string, secrets: readonly string[]): string {
  return secrets.reduce((shown, secret) => (secret ? shown.split(secret).join(REDACTED) : shown), text)
}

/**
 * The RFC 6749 §5.2 error in a token endpoint's answer as an {@link OAuth2Error}, or `undefined`
 * when the answer carries none.
 *
 * @example
 * grantError(request, 401, { error: 'invalid_client' }, [secret]) // OAuth2Error invalid_client
 */
export function grantError(request: ClientRequest, status: number, data: unknown, secrets: readonly string[]): OAuth2Error | undefined {
  const body = fields(data)
  if (typeof body?.error !== 'string') return undefined
  const description = typeof body.error_description === 'string' ? without(body.error_description, secrets) : undefined
  return new OAuth2Error(request, status, without(body.error, secrets), description)
}

/**
 * The token in a successful answer (RFC 6749 §5.1): `access_token`, a `token_type` of Bearer
 * (any case; an absent one is taken as Bearer, as some providers leave it out), and `expires_in`
 * seconds, or `defaultExpiresIn` when the server does not say.
 *
 * @example
 * readToken(request, 200, { access_token: 'x', token_type: 'bearer', expires_in: 3600 }, 3600, []) // { token: 'x', expiresIn: 3600 }
 */
export function readToken(
  request: ClientRequest,
  status: number,
  data: unknown,
  defaultExpiresIn: number,
  secrets: readonly string[],
): IssuedToken {
  const failed = grantError(request, status, data, secrets)
  if (failed) throw failed
  const body = fields(data)
  const token = body?.access_token
  if (typeof token !== 'string' || token === '')
    throw new OAuth2Error(request, status, 'invalid_token_response', 'the answer has no access_token')
  const type = body?.token_type
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer'))
    throw new OAuth2Error(
      request,
      status,
      'unsupported_token_type',
      `token_type is ${JSON.stringify(type)}, and only Bearer tokens can be sent`,
    )
  const expires = Number(body?.expires_in ?? defaultExpiresIn)
  return { token, expiresIn: Number.isFinite(expires) && expires > 0 ? expires : defaultExpiresIn }
}
