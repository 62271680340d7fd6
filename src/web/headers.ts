// The `#headers` edge where there is no undici (Workers, Bun, browsers): the platform's own
// Headers, the class its fetch knows.

/** The platform's Headers class. */
export const Headers: typeof globalThis.Headers = globalThis.Headers
