// The cache-tests that do not apply to a private, client-side cache (fetchline's `cache()`, undici's
// interceptor with `type: 'private'`), each with why. They are left out of the counts and of the bar
// run.ts holds fetchline to. A test fetchline fails is not listed here for that reason: only a test
// about something a private client cache is not, or does not do, belongs here.
//
// The suite marks most of them itself, and run.ts checks this list against its markers:
// - `cdn_only` (a CDN's `CDN-Cache-Control`): the runner never sends them in browser (private) mode;
// - `browser_skip` (shared-cache rules, a cache answering the client's own conditional requests,
//   interim responses): the runner skips them too, except the few in RUN_DESPITE_BROWSER_SKIP.
// `browser_only` tests (private-cache rules: s-maxage ignored, `private` stored, `immutable`) DO apply.

const CDN = 'CDN-Cache-Control is for a CDN (a gateway cache), not a client cache (suite: cdn_only)'
const SHARED = 'a rule for shared caches only; a private cache follows max-age and may store it (suite: browser_skip)'
const AUTH = 'the Authorization rule (RFC 9111 §3.5) is for shared caches; a private cache may reuse it (suite: browser_skip)'
const ANSWER_CONDITIONAL =
  "needs the cache to answer the caller's own If-Modified-Since/If-None-Match with a 304; a client cache forwards them (suite: browser_skip)"
const INTERIM = 'needs 1xx interim responses surfaced to the caller; fetch and fetchline never expose them (suite: browser_skip)'
const RANGE = 'needs Range requests and 206 partial content served or combined by the cache; fetchline does not do Range'

export const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  // Shared-cache-only directives and rules (cc-freshness, cc-response, stale, auth).
  'freshness-s-maxage-shared': SHARED,
  'freshness-max-age-s-maxage-shared-longer': SHARED,
  'freshness-max-age-s-maxage-shared-longer-reversed': SHARED,
  'freshness-max-age-s-maxage-shared-longer-multiple': SHARED,
  'freshness-max-age-s-maxage-shared-shorter': SHARED,
  'freshness-max-age-s-maxage-shared-shorter-expires': SHARED,
  'cc-resp-private-shared': 'Cache-Control: private forbids shared caches only; a private cache stores it (suite: browser_skip)',
  'stale-close-proxy-revalidate': 'proxy-revalidate binds shared caches only (RFC 9111 §5.2.2.8) (suite: browser_skip)',
  'stale-close-s-maxage=2': 's-maxage (and its must-revalidate meaning) binds shared caches only (suite: browser_skip)',
  'other-authorization': AUTH,
  'other-authorization-public': AUTH,
  'other-authorization-must-revalidate': AUTH,
  'other-authorization-smaxage': AUTH,

  // The cache answering a conditional request the caller made itself (conditional-lm, conditional-inm).
  'conditional-lm-fresh': ANSWER_CONDITIONAL,
  'conditional-lm-fresh-earlier': ANSWER_CONDITIONAL,
  'conditional-lm-stale': ANSWER_CONDITIONAL,
  'conditional-lm-fresh-no-lm': ANSWER_CONDITIONAL,
  'conditional-lm-fresh-rfc850': ANSWER_CONDITIONAL,
  'conditional-etag-strong-respond': ANSWER_CONDITIONAL,
  'conditional-304-etag': ANSWER_CONDITIONAL,
  'conditional-etag-precedence': ANSWER_CONDITIONAL,
  'conditional-etag-strong-respond-obs-text': ANSWER_CONDITIONAL,
  'conditional-etag-quoted-respond-unquoted': ANSWER_CONDITIONAL,
  'conditional-etag-unquoted-respond-unquoted': ANSWER_CONDITIONAL,
  'conditional-etag-unquoted-respond-quoted': ANSWER_CONDITIONAL,
  'conditional-etag-weak-respond': ANSWER_CONDITIONAL,
  'conditional-etag-weak-respond-lowercase': ANSWER_CONDITIONAL,
  'conditional-etag-weak-respond-backslash': ANSWER_CONDITIONAL,
  'conditional-etag-weak-respond-omit-slash': ANSWER_CONDITIONAL,
  'conditional-etag-strong-respond-multiple-first': ANSWER_CONDITIONAL,
  'conditional-etag-strong-respond-multiple-second': ANSWER_CONDITIONAL,
  'conditional-etag-strong-respond-multiple-last': ANSWER_CONDITIONAL,

  // Interim (1xx) responses (interim).
  'interim-102': INTERIM,
  'interim-103': INTERIM,
  'interim-not-cached': INTERIM,
  'interim-no-header-reuse': INTERIM,

  // Partial content (partial): every one sends Range and expects a 206 the cache builds.
  'partial-store-partial-reuse-partial': RANGE,
  'partial-store-complete-reuse-partial': RANGE,
  'partial-store-complete-reuse-partial-no-last': RANGE,
  'partial-store-complete-reuse-partial-suffix': RANGE,
  'partial-store-partial-reuse-partial-byterange': RANGE,
  'partial-store-partial-reuse-partial-absent': RANGE,
  'partial-store-partial-reuse-partial-suffix': RANGE,
  'partial-store-partial-complete': RANGE,
  'partial-use-headers': RANGE,
  'partial-use-stored-headers': RANGE,

  // CDN-Cache-Control (cdn-cache-control).
  'cdn-max-age': CDN,
  'cdn-max-age-max': CDN,
  'cdn-max-age-max-plus': CDN,
  'cdn-max-age-age': CDN,
  'cdn-max-age-space-before-equals': CDN,
  'cdn-max-age-space-after-equals': CDN,
  'cdn-max-age-0': CDN,
  'cdn-max-age-extension': CDN,
  'cdn-max-age-case-insensitive': CDN,
  'cdn-max-age-expires': CDN,
  'cdn-max-age-cc-max-age-invalid-expires': CDN,
  'cdn-max-age-0-expires': CDN,
  'cdn-max-age-short-cc-max-age': CDN,
  'cdn-max-age-long-cc-max-age': CDN,
  'cdn-private': CDN,
  'cdn-no-cache': CDN,
  'cdn-no-store-cc-fresh': CDN,
  'cdn-fresh-cc-nostore': CDN,
  'cdn-cc-invalid-sh-type-unknown': CDN,
  'cdn-cc-invalid-sh-type-wrong': CDN,
  'cdn-remove-header': CDN,
  'cdn-remove-age-exceed': CDN,
  'cdn-date-update-exceed': CDN,
  'cdn-expires-update-exceed': CDN,
}

/**
 * `browser_skip` tests that do apply to a client cache, so the worker runs them: the suite skips
 * them in a browser only because a browser's fetch answers `redirect: 'manual'` with an opaque
 * response (no status). Node's fetch, undici and fetchline see the 3xx (it has no Location, so
 * nothing follows it), and a private cache stores and reuses it like any other status.
 */
export const RUN_DESPITE_BROWSER_SKIP: ReadonlySet<string> = new Set(
  [301, 302, 303, 307, 308].flatMap((status) => [`status-${status}-fresh`, `status-${status}-stale`]),
)
