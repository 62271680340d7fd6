// The conformance suite, written once: every case by name. Run on each runtime by run.ts (Node,
// Bun, Deno) or worker.ts (workerd), against server.ts, driven by driver.ts.
import type { Case } from './assert.js'
import { cacheCases } from './cache.js'
import { encoding } from './encoding.js'
import { errors } from './errors.js'
import { methods } from './methods.js'
import { middleware } from './middleware.js'
import { params } from './params.js'
import { redirects } from './redirects.js'
import { requests } from './requests.js'
import { signCases } from './sign.js'
import { signing } from './signing.js'
import { size } from './size.js'
import { traceCases } from './trace.js'
import { wechatpayCases } from './wechatpay.js'

export type { Case, Context, Runtime } from './assert.js'

export const cases: Record<string, Case> = {
  ...requests,
  ...errors,
  ...middleware,
  ...redirects,
  ...encoding,
  ...methods,
  ...params,
  ...size,
  ...traceCases,
  ...cacheCases,
  ...signCases,
  ...signing,
  ...wechatpayCases,
}
