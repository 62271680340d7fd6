// A real nginx (Debian's nginx 1.22, with its brotli filter module) on 127.0.0.1, one per test
// file, for what real servers do on the wire: keep-alive idle close, keepalive_requests and HTTP/2
// GOAWAY, gzip and br, mutual TLS. `.ci/run` installs it; outside CI without nginx the suites
// skip, loudly; in CI a missing nginx fails them (as the Redis suites do).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { type AddressInfo, connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestPKI } from './tls.js'

const NGINX = ['/usr/sbin/nginx', 'nginx'].find((bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0)
const BROTLI = '/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so'
const ECHO = '/usr/lib/nginx/modules/ngx_http_echo_module.so'

/** Why the nginx suites cannot run here, or `undefined` when they can. Throws in CI. */
export function nginxMissing(): string | undefined {
  const why = !NGINX
    ? 'no nginx on PATH (Debian: apt-get install -y nginx libnginx-mod-http-brotli-filter libnginx-mod-http-echo)'
    : ![BROTLI, ECHO].every(existsSync)
      ? `no brotli filter or echo module in /usr/lib/nginx/modules (Debian: apt-get install -y libnginx-mod-http-brotli-filter libnginx-mod-http-echo)`
      : undefined
  if (!why) return undefined
  if (process.env.CI) throw new Error(`The nginx tests must run in CI, but there is ${why}; .ci/run installs it`)
  console.warn(
    `\n${'!'.repeat(72)}\n!! SKIPPING the nginx tests: ${why}.\n!! They run in CI (.ci/run installs nginx).\n${'!'.repeat(72)}\n`,
  )
  return why
}

/** One line of the access log (the `fetchline` format below). */
export type AccessEntry = {
  method: string
  uri: string
  status: number
  /** The connection's serial number and how many requests it had carried with this one. */
  connection: number
  connectionRequests: number
  protocol: string
  requestId: string
}

export type Nginx = {
  /** Plain HTTP/1.1: `http://127.0.0.1:PORT`. */
  http: string
  /** TLS with HTTP/2 (ALPN h2, http/1.1): `https://127.0.0.1:PORT`. */
  https: string
  /** TLS that requires a client certificate signed by the test CA (`ssl_verify_client on`). */
  mtls: string
  /** The access log, parsed, in order, as it is on disk now. */
  accessLog(): AccessEntry[]
  /**
   * The access log once nginx has written it: nginx logs a request after its answer went out, so a
   * client can hold the answer before the line is there. Waits until the log stops growing (two
   * reads 50 ms apart, at most 2 s). Use it wherever a test counts lines.
   */
  settledLog(): Promise<AccessEntry[]>
  /** The error log, as text. */
  errorLog(): string
  stop(): Promise<void>
}

export type NginxOptions = {
  /** The certificates (test/helpers/tls.ts); required for `https` and `mtls`. */
  pki: TestPKI
  /** `keepalive_timeout` (nginx syntax, such as `1s`). @default '1s' */
  keepaliveTimeout?: string
  /** `keepalive_requests`, for HTTP/1.1 and HTTP/2 alike. @default 1000 */
  keepaliveRequests?: number
  /** More `location` blocks, added to every server. */
  locations?: string
}

/** The locations every server has; tests add their own with `locations`. */
const LOCATIONS = `
    location = /json { default_type application/json; return 200 '{"ok":true}'; }
    location = /echo { default_type application/json; return 200 '{"method":"$request_method","id":"$http_x_request_id"}'; }
    location = /created { default_type application/json; return 201 '{"created":"$http_x_request_id"}'; }
    location = /slow { echo_sleep 0.2; default_type application/json; echo '{"slow":true}'; }
    location = /big { default_type application/json; alias $root/big.json; }
    location = /headers { default_type application/json; return 200 '{"x-api-key":"$http_x_api_key","api-key":"$http_api_key","authorization":"$http_authorization","cookie":"$http_cookie","x-vendor-token":"$http_x_vendor_token"}'; }
    location = /loop { return 302 /loop; }
    location = /to { return 302 $arg_url; }
`

/**
 * `count` distinct free ports on 127.0.0.1, held open together until all are known: one at a time
 * (listen, close, listen again) the kernel may hand the same port out twice, and nginx then reads
 * the plain and the TLS server as one address (`no "ssl_certificate" is defined`: seen in CI).
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer())
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))))
  const ports = servers.map((server) => (server.address() as AddressInfo).port)
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

/**
 * Starts nginx with a configuration made for the test: three servers (HTTP/1.1, TLS + HTTP/2,
 * mutual TLS), each with `LOCATIONS`, gzip and brotli on for JSON, an access log that names the
 * connection each request came on. Stopped by `stop()` (the test file's afterAll).
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed')
  const dir = mkdtempSync(join(tmpdir(), 'fetchline-nginx-'))
  chmodSync(dir, 0o755) // nginx's workers run as nobody when the tests run as root
  const [http, https, mtls] = (await freePorts(3)) as [number, number, number]
  const { pki } = options
  writeFileSync(join(dir, 'server.pem'), pki.server.cert)
  writeFileSync(join(dir, 'server.key'), pki.server.key)
  writeFileSync(join(dir, 'ca.pem'), pki.ca.cert)
  writeFileSync(join(dir, 'big.json'), JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item ${i}` })) }))
  const locations = (LOCATIONS + (options.locations ?? '')).replaceAll('$root', dir)
  const keepalive = `keepalive_timeout ${options.keepaliveTimeout ?? '1s'}; keepalive_requests ${options.keepaliveRequests ?? 1000};`
  const conf = `
load_module ${BROTLI};
load_module ${ECHO};
worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 1024; }
http {
  log_format fetchline '$request_method $request_uri $status $connection $connection_requests $server_protocol $http_x_request_id';
  access_log ${dir}/access.log fetchline;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${keepalive}
  gzip on; gzip_types application/json; gzip_min_length 20;
  brotli on; brotli_types application/json; brotli_min_length 20;
  server {
    listen 127.0.0.1:${http};
    ${locations}
  }
  server {
    listen 127.0.0.1:${https} ssl http2;
    ssl_certificate ${dir}/server.pem; ssl_certificate_key ${dir}/server.key;
    ${locations}
  }
  server {
    listen 127.0.0.1:${mtls} ssl http2;
    ssl_certificate ${dir}/server.pem; ssl_certificate_key ${dir}/server.key;
    ssl_client_certificate ${dir}/ca.pem; ssl_verify_client on;
    ${locations}
  }
}
`
  writeFileSync(join(dir, 'nginx.conf'), conf)
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`nginx exited (${code}): ${stderr}${readText(join(dir, 'error.log'))}`))),
  )
  await Promise.race([Promise.all([http, https, mtls].map((port) => listening(port))), exited])
  exited.catch(() => undefined)
  let stopped: Promise<void> | undefined
  return {
    http: `http://127.0.0.1:${http}`,
    https: `https://127.0.0.1:${https}`,
    mtls: `https://127.0.0.1:${mtls}`,
    accessLog: () => parseLog(readText(join(dir, 'access.log'))),
    settledLog: async () => {
      const read = (): string => readText(join(dir, 'access.log'))
      let text = read()
      for (const started = Date.now(); Date.now() - started < 2_000; ) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        const now = read()
        if (now.length === text.length) break
        text = now
      }
      return parseLog(text)
    },
    errorLog: () => readText(join(dir, 'error.log')),
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true })
          resolve()
        }
        if (child.exitCode !== null) return done()
        child.once('exit', done)
        child.kill('SIGQUIT')
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref()
      })),
  }
}

function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

function parseLog(text: string): AccessEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [method = '', uri = '', status = '0', connection = '0', requests = '0', protocol = '', requestId = ''] = line.split(' ')
      return {
        method,
        uri,
        status: Number(status),
        connection: Number(connection),
        connectionRequests: Number(requests),
        protocol,
        requestId: requestId === '-' ? '' : requestId,
      }
    })
}

/** Resolves once something accepts connections on `port` (nginx has bound it). */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`nginx did not listen on ${port}`)
}
