// Applicable tests where fetchline's cache() answers differently from undici's interceptor on
// purpose, each with the requirement of the issue that decides it. run.ts lists them apart and
// does not fail on them; it fails when one of them starts passing (the entry is then stale).
export const DELIBERATE: Readonly<Record<string, string>> = {
  'headers-store-Set-Cookie':
    'no secret at rest: Set-Cookie carries session credentials, and the stored entry never holds a header the redaction rules call secret (the caller still sees it on the full answer)',
  'other-cookie':
    'a Cookie is a credential: entries are kept per credential identity (a keyed hash of the secret headers), so a request with a cookie never gets an answer stored for a request without one',
}
