// The app's configuration, read from the environment once at start-up and validated — the
// Python guide's `Settings` class, in Node terms. A `.env` file is loaded by Node itself
// (process.loadEnvFile, Node >= 20.12): no dotenv needed.
import { existsSync } from 'node:fs'
import { z } from 'zod'

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

const Env = z.object({
  // WeChat Official Account
  WECHAT_APP_ID: z.string().min(1),
  WECHAT_APP_SECRET: z.string().min(1),
  WECHAT_BASE_URL: z.url().default('https://api.weixin.qq.com'),
  WECHAT_TEMPLATE_ID: z.string().min(1).default('your_template_id'),
  // Payment API
  PAYMENT_API_KEY: z.string().min(1),
  PAYMENT_BASE_URL: z.url().default('https://api.payment.com'),
  // HTTP defaults for every client
  HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  HTTP_MAX_RETRIES: z.coerce.number().int().min(0).default(3),
  OTEL_ENABLED: flag.default(false),
})

/** The validated settings. */
export type Settings = ReturnType<typeof loadSettings>

/**
 * Reads and checks the environment. A missing or malformed variable fails here, at start-up,
 * naming every bad variable (never echoing a value: they may be secrets).
 *
 * @example
 * const settings = loadSettings() // throws "Configuration error: WECHAT_APP_SECRET is required; …"
 */
export function loadSettings(env: Record<string, string | undefined> = process.env, envFile = '.env') {
  if (env === process.env && envFile && existsSync(envFile)) process.loadEnvFile(envFile)
  const parsed = Env.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0])
      return env[name] === undefined ? `${name} is required` : `${name} is malformed (${issue.message})`
    })
    throw new Error(`Configuration error: ${problems.join('; ')}`)
  }
  const e = parsed.data
  return {
    wechat: { appId: e.WECHAT_APP_ID, appSecret: e.WECHAT_APP_SECRET, baseURL: e.WECHAT_BASE_URL, templateId: e.WECHAT_TEMPLATE_ID },
    payment: { apiKey: e.PAYMENT_API_KEY, baseURL: e.PAYMENT_BASE_URL },
    http: { timeout: e.HTTP_TIMEOUT_MS, maxRetries: e.HTTP_MAX_RETRIES },
    otelEnabled: e.OTEL_ENABLED,
  }
}
