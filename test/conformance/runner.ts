// Runs one case with a time limit, on any runtime: a case that hangs is reported, not waited for.
import type { Case, Context } from './assert.js'

/** One case's outcome, as each runner prints it and the driver reads it. */
export type Result = { name: string; ok: boolean; ms: number; error?: string }

/** The limit of one case: the slowest (retry after `Retry-After: 1`) takes about a second. */
export const CASE_LIMIT_MS = 10_000

export async function runCase(name: string, fn: Case, ctx: Context, limit = CASE_LIMIT_MS): Promise<Result> {
  const start = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${limit} ms (hung)`)), limit)
  })
  try {
    await Promise.race([fn(ctx), expired])
    return { name, ok: true, ms: Math.round(performance.now() - start) }
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return { name, ok: false, ms: Math.round(performance.now() - start), error: text.slice(0, 600) }
  } finally {
    clearTimeout(timer)
  }
}

/** The line a runner prints per case; the driver picks these out of whatever else is printed. */
export const MARK = 'CONFORMANCE '
