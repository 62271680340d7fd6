// The keys WeChat Pay signs with, as createWeChatPayClient knows them: the WeChat Pay public key
// (`PUB_KEY_ID_…`, merchants registered since late 2024) and the platform certificates, both at
// once during a switch. Certificates come from GET /v3/certificates through the signed client,
// are decrypted with the APIv3 key (AEAD_AES_256_GCM authenticates them: only WeChat Pay and the
// merchant hold that key), and are kept in a TokenStore (Redis for a fleet) as public facts only:
// serial, validity, SubjectPublicKeyInfo. The merchant's private key is never stored.
import type { Client } from '../src/client/client-types.js'
import type { ClientRequest } from '../src/core/types.js'
import { createTokenCache, type TokenStore } from '../src/features/token-cache.js'
import {
  base64Decode,
  base64Encode,
  certificateFacts,
  decryptResource,
  type EncryptedResource,
  importPlatformKey,
  type PlatformKey,
  pemToDer,
} from '../src/features/wechatpay-crypto.js'
import { type HeaderSource, verifyWeChatPay } from '../src/features/wechatpay-sign.js'

/** One entry of GET /v3/certificates. */
type Downloaded = { serial_no: string; effective_time?: string; expire_time?: string; encrypt_certificate: EncryptedResource }
/** What the store keeps per certificate: nothing secret. */
type Kept = { serial: string; effective?: string; expires?: string; spki: string }
type Loaded = { json: string; keys: Map<string, PlatformKey>; newest: string | undefined }

export type KeyringOptions = {
  mchid: string
  apiV3Key: Promise<CryptoKey>
  publicKey: { id: string; spki: Uint8Array<ArrayBuffer> } | undefined
  certificates: boolean
  store: TokenStore | undefined
  /** How long downloaded certificates are used before they are downloaded again, in ms. */
  refreshInterval: number
  /** The signed client the download goes through (made after the keyring). */
  client: () => Client
  now: () => number
}

export type Keyring = {
  /** Verifies an answer (or callback) over its raw bytes; resolves to the key's serial. */
  verify(headers: HeaderSource, body: Uint8Array, what: string, request?: ClientRequest): Promise<string>
  /** The key sensitive fields are encrypted with, and its serial for `Wechatpay-Serial`. */
  encryption(): Promise<{ serial: string; key: CryptoKey }>
  /** The encryption key's serial if it is known without a download. */
  serialNow(): string | undefined
}

const DOWNLOAD_PATH = /\/v3\/certificates$/
/** An unknown serial triggers at most one download per minute: a forged serial cannot make a storm. */
const UNKNOWN_SERIAL_COOLDOWN = 60_000

async function decryptAll(apiV3Key: CryptoKey, data: readonly Downloaded[]): Promise<Kept[]> {
  return Promise.all(
    data.map(async (entry) => {
      const pem = await decryptResource(apiV3Key, entry.encrypt_certificate)
      const facts = certificateFacts(pemToDer(pem, ['CERTIFICATE'], 'a downloaded platform certificate').der)
      // The list's serial_no must be the certificate's own: the key a serial names is the key inside.
      if (facts.serial !== entry.serial_no.toUpperCase())
        throw new TypeError('a downloaded certificate does not carry the serial it is listed under')
      return {
        serial: facts.serial,
        spki: base64Encode(facts.spki),
        ...(entry.effective_time ? { effective: entry.effective_time } : {}),
        ...(entry.expire_time ? { expires: entry.expire_time } : {}),
      }
    }),
  )
}

function downloadedList(body: Uint8Array): Downloaded[] {
  const parsed = JSON.parse(new TextDecoder().decode(body)) as { data?: unknown }
  if (!Array.isArray(parsed?.data)) throw new TypeError('GET /v3/certificates answered without a data list')
  return parsed.data as Downloaded[]
}

async function load(json: string, now: number): Promise<Loaded> {
  const kept = JSON.parse(json) as Kept[]
  const keys = new Map<string, PlatformKey>()
  for (const entry of kept) keys.set(entry.serial, await importPlatformKey(base64Decode(entry.spki)))
  // Encrypt with the newest certificate already in effect (WeChat Pay's rotation guidance).
  const usable = kept.filter((k) => !k.effective || Date.parse(k.effective) <= now)
  const newest = (usable.length > 0 ? usable : kept).sort(
    (a, b) => (Date.parse(b.effective ?? '') || 0) - (Date.parse(a.effective ?? '') || 0),
  )[0]
  return { json, keys, newest: newest?.serial }
}

export function createKeyring(options: KeyringOptions): Keyring {
  const { publicKey } = options
  const publicKeys = publicKey ? importPlatformKey(publicKey.spki) : undefined
  void publicKeys?.catch(() => undefined) // reported where it is used
  let loaded: Loaded | undefined
  let lastForced = Number.NEGATIVE_INFINITY

  const certificates = createTokenCache<void>({
    key: `wechatpay:certificates:${options.mchid}`,
    ...(options.store ? { store: options.store } : {}),
    refreshMargin: 0,
    fetchToken: async () => {
      const { data } = await options.client().get<{ data: Downloaded[] }>('/v3/certificates')
      const kept = await decryptAll(await options.apiV3Key, data.data)
      if (kept.length === 0) throw new TypeError('GET /v3/certificates listed no certificate')
      return { token: JSON.stringify(kept), expiresIn: options.refreshInterval / 1000 }
    },
  })

  async function current(): Promise<Loaded> {
    const json = await certificates.get()
    if (loaded?.json !== json) loaded = await load(json, options.now())
    return loaded
  }

  async function certificateKey(serial: string, request: ClientRequest | undefined, body: Uint8Array): Promise<CryptoKey | undefined> {
    // The download's own answer: known keys, else the certificate it carries under that serial
    // (authenticated by the APIv3 key) — asking the cache here would wait for this very download.
    if (request && DOWNLOAD_PATH.test(request.url.pathname)) {
      const known = loaded?.keys.get(serial)
      if (known) return known.verify
      const kept = await decryptAll(await options.apiV3Key, downloadedList(body)).catch(() => [])
      const own = kept.find((k) => k.serial === serial)
      return own && (await importPlatformKey(base64Decode(own.spki))).verify
    }
    let found = (await current()).keys.get(serial)
    if (!found && options.now() - lastForced >= UNKNOWN_SERIAL_COOLDOWN) {
      lastForced = options.now() // a serial we do not know: perhaps a new certificate
      await certificates.refresh((await current()).json)
      found = (await current()).keys.get(serial)
    }
    return found?.verify
  }

  async function keyFor(serial: string, request: ClientRequest | undefined, body: Uint8Array): Promise<CryptoKey | undefined> {
    if (publicKey && serial === publicKey.id) return (await (publicKeys as Promise<PlatformKey>)).verify
    return options.certificates ? certificateKey(serial, request, body) : undefined
  }

  return {
    verify: (headers, body, what, request) =>
      verifyWeChatPay(headers, body, { what, request, now: options.now(), keyFor: (serial) => keyFor(serial, request, body) }),
    async encryption() {
      if (publicKey) return { serial: publicKey.id, key: (await (publicKeys as Promise<PlatformKey>)).encrypt }
      const { keys, newest } = await current()
      const key = newest === undefined ? undefined : keys.get(newest)
      if (!key || newest === undefined) throw new TypeError('createWeChatPayClient: no platform certificate to encrypt with')
      return { serial: newest, key: key.encrypt }
    },
    serialNow: () => publicKey?.id ?? loaded?.newest,
  }
}
