import { checkKeys } from '../src/core/options.js'
import type { Middleware } from '../src/core/types.js'
import { REDACTION_RULES, type RedactionRules } from '../src/redact/redact.js'

/**
 * Options of {@link redact}: rules added to the secure defaults, or an allow-list. Several
 * `redact()` in one client add up; a name any of them hides stays hidden, whatever an allow list
 * says, and the built-in secret names are hidden in both modes.
 *
 * @example
 * redact({ headers: ['x-tenant-signature'], query: [/^sign/i], bodyKeys: ['cardNumber'], path: [/\/bot([^/]+)/] })
 */
export type RedactOptions = RedactionRules

function checkList(name: string, list: unknown): void {
  if (list === undefined) return
  if (!Array.isArray(list) || !list.every((rule) => typeof rule === 'string' || rule instanceof RegExp)) {
    const what = name === 'path' ? 'secret values (strings) or RegExps' : 'names (strings) or RegExps'
    throw new TypeError(`redact: ${name} must be an array of ${what}`)
  }
}

/**
 * Adds redaction rules to the secure defaults — or, with `mode: 'allow'`, shows only the listed
 * names. The defaults always apply, with or without this middleware.
 *
 * The rules do not depend on where this sits in the array: `createClient` gathers them once and
 * every request carries them, so errors, `log()`, `trace()` and metrics — wherever they sit —
 * render requests through the same rules.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [redact({ query: ['openid'] }), log()] })
 */
export function redact(options: RedactOptions = {}): Middleware {
  checkKeys('redact', options, ['headers', 'query', 'path', 'bodyKeys', 'mode'])
  checkList('headers', options.headers)
  checkList('query', options.query)
  checkList('bodyKeys', options.bodyKeys)
  checkList('path', options.path)
  if (options.mode !== undefined && options.mode !== 'deny' && options.mode !== 'allow') {
    throw new TypeError(`redact: mode must be 'deny' or 'allow', got ${String(options.mode)}`)
  }
  const rules: RedactionRules = { ...options }
  const passOn: Middleware = function redact(request, next) {
    return next(request)
  }
  return Object.assign(passOn, { [REDACTION_RULES]: rules })
}
