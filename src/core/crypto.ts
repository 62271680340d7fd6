// SHA-256 and HMAC-SHA256 for signing (middleware/sign.ts): node:crypto on Node and Deno, Web
// Crypto everywhere else, chosen by package.json "imports" as #headers is.
export { type HmacKey, hmac, hmacHex, hmacKey, sha256Hex } from '#crypto'
