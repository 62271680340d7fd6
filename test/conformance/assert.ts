// What every conformance case uses: its context (the server's URL, the library as the runtime
// loaded it) and small assertions that work on every runtime (no node:assert on workerd).
import type * as Core from 'fetchline-http'
import type * as Alipay from 'fetchline-http/clients/alipay'
import type * as Example from 'fetchline-http/clients/example'
import type * as WeChat from 'fetchline-http/clients/wechat'
import type * as WeChatPay from 'fetchline-http/clients/wechatpay'
import type * as Middleware from 'fetchline-http/middleware'
import type * as Testing from 'fetchline-http/testing'

export type Runtime = 'node' | 'bun' | 'deno' | 'workerd'

/** What the runner hands every case. */
export type Context = {
  /** The conformance server, `http://127.0.0.1:PORT`. */
  url: string
  /** A port nothing listens on. */
  closedURL: string
  runtime: Runtime
  lib: {
    core: typeof Core
    middleware: typeof Middleware
    testing: typeof Testing
    clients: { wechat: typeof WeChat; wechatpay: typeof WeChatPay; example: typeof Example; alipay: typeof Alipay }
    createConsola: (options: { level: number; reporters: { log: (entry: Record<string, unknown>) => void }[] }) => unknown
  }
}

export type Case = (ctx: Context) => Promise<void>

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

export function equal(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)]
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`)
}

/** Awaits a rejection and returns it; a resolution fails the case. */
export async function rejects(promise: Promise<unknown>, what: string): Promise<Record<string, unknown> & Error> {
  try {
    await promise
  } catch (error) {
    return error as Record<string, unknown> & Error
  }
  throw new Error(`${what}: expected a rejection, got a response`)
}

export const SECRET = 'sEcReT-4711'

/** The error has the code, and no rendering of it shows the secret. */
export function checkError(error: Record<string, unknown> & Error, name: string, code: string): void {
  equal(error.name, name, 'error name')
  equal(error.code, code, 'error code')
  for (const [where, text] of [
    ['message', error.message],
    ['stack', String(error.stack)],
    ['JSON', JSON.stringify(error)],
  ] as const)
    check(!text.includes(SECRET), `the secret shows in the error's ${where}: ${text.slice(0, 300)}`)
}

/** A client whose calls carry a secret header and a secret query value. */
export const secretive = ({ url, lib }: Context, middleware: Core.Middleware[] = [], base = url) =>
  lib.core.createClient({ baseURL: `${base}/?access_token=${SECRET}`, headers: { authorization: `Bearer ${SECRET}` }, middleware })
