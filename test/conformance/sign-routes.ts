// The conformance server's routes for sigv4() (test/conformance/sign.ts): each checks the request's
// AWS SigV4 signature again from what arrived (test/helpers/sigv4.ts, on node:crypto) and answers
// 200 with the verdict, or 403 with it.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { verifySigV4 } from '../helpers/sigv4.js'

const SIGV4_ID = 'AKIDCONFORMANCE'
const SIGV4_SECRET = 'conformance/SecretAccessKey+EXAMPLE0123456'

type Route = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => void

const hits = new Map<string, number>()

/** `/sigv4` (service execute-api, eu-west-1) and `/sigv4-s3` (s3, us-east-1); `fail=n` answers 503 to the first n hits of `key`; `ahead=ms` sets the server's clock ahead. */
function route(service: string, region: string): Route {
  return (req, res, url, body) => {
    const key = url.searchParams.get('key') ?? ''
    const n = (hits.get(key) ?? 0) + 1
    hits.set(key, n)
    const verdict = verifySigV4(
      { method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body },
      { [SIGV4_ID]: SIGV4_SECRET },
      service,
      region,
    )
    const serverNow = Date.now() + Number(url.searchParams.get('ahead') ?? 0)
    const sent = Date.parse(String(req.headers['x-amz-date']).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'))
    const json = { 'content-type': 'application/json', date: new Date(serverNow).toUTCString() }
    if (verdict.ok && !(Math.abs(sent - serverNow) <= 15 * 60_000)) {
      res.writeHead(403, { ...json, 'content-type': 'application/xml' })
      return void res.end(
        '<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>',
      )
    }
    if (n <= Number(url.searchParams.get('fail') ?? 0)) return void res.writeHead(503, json).end(JSON.stringify({ n }))
    res
      .writeHead(verdict.ok ? 200 : 403, json)
      .end(JSON.stringify({ ...verdict, n, date: req.headers['x-amz-date'], body: body.toString('utf8') }))
  }
}

export const signRoutes: Record<string, Route> = { '/sigv4': route('execute-api', 'eu-west-1'), '/sigv4-s3': route('s3', 'us-east-1') }
