// Just enough DER (ITU-T X.690) to read what signing needs from a PEM certificate or key: a
// certificate's serial number, issuer, signature algorithm and public key (RFC 5280 §4.1), and
// whether a private key is PKCS#1 or PKCS#8. Web Crypto imports keys but reads no certificate.

/** One DER element: its tag, where it starts, where its content starts and where it ends. */
type Node = { tag: number; start: number; content: number; end: number }

function node(bytes: Uint8Array, at: number): Node {
  const tag = bytes[at] ?? -1
  let length = bytes[at + 1] ?? 0
  let content = at + 2
  if (length & 0x80) {
    const count = length & 0x7f
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[content++] ?? 0)
  }
  if (tag < 0 || content + length > bytes.byteLength) throw new TypeError('Not a DER structure: a PEM certificate or key was expected')
  return { tag, start: at, content, end: content + length }
}

function children(bytes: Uint8Array, parent: Node): Node[] {
  const list: Node[] = []
  for (let at = parent.content; at < parent.end; at = list[list.length - 1]?.end ?? parent.end) list.push(node(bytes, at))
  return list
}

function oid(bytes: Uint8Array, n: Node): string {
  const first = bytes[n.content] ?? 0
  const parts = [Math.floor(first / 40), first % 40]
  let value = 0
  for (let i = n.content + 1; i < n.end; i++) {
    const byte = bytes[i] ?? 0
    value = value * 128 + (byte & 0x7f)
    if (byte & 0x80) continue
    parts.push(value)
    value = 0
  }
  return parts.join('.')
}

/** The DER bytes of each PEM block (`-----BEGIN …-----`), or of a bare base64 text. */
export function pemBlocks(text: string): Array<Uint8Array<ArrayBuffer>> {
  const blocks = [...text.matchAll(/-----BEGIN [^-]+-----([^-]+)-----END [^-]+-----/g)].map((m) => m[1] ?? '')
  return (blocks.length ? blocks : [text]).map((b64) => Uint8Array.from(atob(b64.replace(/\s+/g, '')), (c) => c.charCodeAt(0)))
}

// The short names Alipay's SDKs write an issuer with (@fidm/x509, Java's X500Principal).
const NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
}

function text(bytes: Uint8Array, n: Node): string {
  const raw = bytes.subarray(n.content, n.end)
  return n.tag === 0x1e ? new TextDecoder('utf-16be').decode(raw) : new TextDecoder().decode(raw)
}

/** What a certificate says of itself that signing schemes use. */
export type CertificateFields = {
  /** The serial number, as an unsigned integer. */
  serial: bigint
  /** The issuer's attributes in the order the certificate lists them: `[['C', 'CN'], ['O', '…'], …]`. */
  issuer: Array<[string, string]>
  /** The OID of the issuer's signature algorithm (`1.2.840.113549.1.1.11`: SHA256withRSA). */
  signatureAlgorithm: string
  /** The SubjectPublicKeyInfo, DER: what `crypto.subtle.importKey('spki', …)` takes. */
  publicKey: Uint8Array<ArrayBuffer>
}

/** Reads a DER certificate (RFC 5280 §4.1). */
export function certificateFields(der: Uint8Array<ArrayBuffer>): CertificateFields {
  const [tbs, algorithm] = children(der, node(der, 0))
  if (!tbs || !algorithm) throw new TypeError('Not an X.509 certificate')
  const fields = children(der, tbs)
  const at = fields[0]?.tag === 0xa0 ? 1 : 0 // [0] version, absent in v1 certificates
  const [serial, , issuer, , , spki] = fields.slice(at)
  const algorithmId = children(der, algorithm)[0]
  if (!serial || !issuer || !spki || !algorithmId) throw new TypeError('Not an X.509 certificate')
  const hex = Array.from(der.subarray(serial.content, serial.end), (b) => b.toString(16).padStart(2, '0')).join('')
  const attributes: Array<[string, string]> = []
  for (const set of children(der, issuer)) {
    for (const pair of children(der, set)) {
      const [type, value] = children(der, pair)
      if (type && value) attributes.push([NAMES[oid(der, type)] ?? oid(der, type), text(der, value)])
    }
  }
  return {
    serial: BigInt(`0x${hex || '0'}`),
    issuer: attributes,
    signatureAlgorithm: oid(der, algorithmId),
    publicKey: der.slice(spki.start, spki.end),
  }
}

/** Whether a DER private key is PKCS#1 (`RSAPrivateKey`: version, then the modulus, an INTEGER). */
export function isPkcs1(der: Uint8Array): boolean {
  return children(der, node(der, 0))[1]?.tag === 0x02
}

/** A PKCS#1 RSA private key wrapped as PKCS#8 (RFC 5208), which Web Crypto imports. */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  // version 0, AlgorithmIdentifier { rsaEncryption, NULL }
  const head = [0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]
  const octets = [0x04, ...length(pkcs1.byteLength)]
  const inner = head.length + octets.length + pkcs1.byteLength
  return new Uint8Array([0x30, ...length(inner), ...head, ...octets, ...pkcs1])
}

function length(n: number): number[] {
  if (n < 0x80) return [n]
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return [0x80 | bytes.length, ...bytes]
}
