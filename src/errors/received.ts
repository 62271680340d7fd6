import type { ClientRequest } from '../core/types.js'

// On the call's context (shared by its attempts, kept by every `{ ...request }` copy), as the
// call-event hub is: Symbol.for, so two installed copies of fetchline read one another's note.
const RECEIVED = Symbol.for('fetchline.received')
type Received = { readonly error: unknown; readonly status: number }
type Noted = { [RECEIVED]?: Received }

/**
 * Notes that `error` ended the call after the headers of a `status` answer came in (its body
 * failed, timed out or was aborted), and returns `error`. Only the failure path pays: `trace()`
 * reads it to record `http.response.status_code`, which the OpenTelemetry HTTP conventions
 * require whenever a status was received
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client-span).
 *
 * @example
 * throw noteReceived(request, response.status, attempt.failure(error))
 */
export function noteReceived<E>(request: ClientRequest, status: number | undefined, error: E): E {
  if (status !== undefined && status >= 200) (request.context as Noted)[RECEIVED] = { error, status }
  return error
}

/**
 * The status noted for `error` by {@link noteReceived}: `undefined` when `error` came before any
 * answer (an earlier attempt's note is for another error, so it is never mistaken for this one's).
 *
 * @example
 * receivedStatus(request, error) // 200: the answer came, its body was cut off
 */
export function receivedStatus(request: ClientRequest, error: unknown): number | undefined {
  const noted = (request.context as Noted)[RECEIVED]
  return noted !== undefined && noted.error === error ? noted.status : undefined
}
