// The conformance runner on workerd: bundled by driver.ts with esbuild (conditions workerd,
// worker, browser) and run in miniflare. One request runs one case, `GET /?case=<name>`, so a case
// that hangs costs its own time limit only; the server's URL comes in as a binding.
import { createConsola } from 'consola'
import * as core from 'fetchline-http'
import * as alipay from 'fetchline-http/clients/alipay'
import * as example from 'fetchline-http/clients/example'
import * as wechat from 'fetchline-http/clients/wechat'
import * as wechatpay from 'fetchline-http/clients/wechatpay'
import * as middleware from 'fetchline-http/middleware'
import * as testing from 'fetchline-http/testing'
import type { Context } from './assert.js'
import { cases } from './cases.js'
import { runCase } from './runner.js'

type Env = { CONFORMANCE_URL: string; CONFORMANCE_CLOSED_URL: string }
const lib: Context['lib'] = {
  core,
  middleware,
  testing,
  clients: { wechat, wechatpay, example, alipay },
  createConsola: createConsola as Context['lib']['createConsola'],
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).searchParams.get('case') ?? ''
    const fn = cases[name]
    if (!fn) return Response.json({ name, ok: false, ms: 0, error: 'no such case' })
    const ctx: Context = { url: env.CONFORMANCE_URL, closedURL: env.CONFORMANCE_CLOSED_URL, runtime: 'workerd', lib }
    return Response.json(await runCase(name, fn, ctx))
  },
}
