import type { ClientRequest } from './types.js'

/**
 * What happens to a call between its attempts, told by `retry()` to whoever listens on the call:
 * `log()` turns these into its warn and error lines, wherever the two sit in the pipeline.
 */
export type CallEvent =
  | { type: 'retry'; request: ClientRequest; retry: number; delay: number; error?: unknown; status?: number | undefined }
  | { type: 'give-up'; request: ClientRequest; error: unknown; reason?: string | undefined }

type Listener = (event: CallEvent) => void
// One listener is the rule (log()); an array only for more.
type Hub = { listener: Listener | undefined; more: Listener[] | undefined; retrying: boolean }

const HUB = Symbol.for('fetchline.call.events')

function hubOf(request: ClientRequest): Hub {
  const context = request.context as { [HUB]?: Hub }
  context[HUB] ??= { listener: undefined, more: undefined, retrying: false }
  return context[HUB]
}

/**
 * Listens to this call's events (the context, and so the hub, is shared by all its attempts).
 *
 * @example
 * onCallEvent(request, (event) => event.type === 'retry' && console.warn(`retry ${event.retry}`))
 */
export function onCallEvent(request: ClientRequest, listener: Listener): void {
  const hub = hubOf(request)
  if (hub.listener === undefined) hub.listener = listener
  else if (hub.listener !== listener && !hub.more?.includes(listener)) (hub.more ??= []).push(listener)
}

/**
 * Tells this call's listeners.
 *
 * @example
 * emitCallEvent({ type: 'give-up', request, error })
 */
export function emitCallEvent(event: CallEvent): void {
  const hub = (event.request.context as { [HUB]?: Hub })[HUB]
  if (!hub) return
  hub.listener?.(event)
  if (hub.more) for (const listener of hub.more) listener(event)
}

/**
 * Marks that a retrying middleware wraps this call: it, not an inner observer, decides what is final.
 *
 * @example
 * markRetrying(request) // in a custom retry middleware, before calling next
 */
export function markRetrying(request: ClientRequest): void {
  hubOf(request).retrying = true
}

/**
 * Whether a retrying middleware wraps this call.
 *
 * @example
 * if (!isRetrying(request)) logFinalFailure(error)
 */
export function isRetrying(request: ClientRequest): boolean {
  return (request.context as { [HUB]?: Hub })[HUB]?.retrying === true
}
