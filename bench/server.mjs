// Benchmark server, run in its own process by bench/run.mjs (fork, so the port
// goes back over IPC). On an IPC message { type: 'count' } it answers { type: 'count', count } with
// the number of requests it has answered (bench/run.mjs cross-checks the clients' counts with it).
// Listens on 127.0.0.1 only, keep-alive on:
//   GET  /json → a fixed ~200-byte JSON body, content-type application/json
//   POST /echo → the request body, echoed back as application/json
import http from 'node:http'
import { GET_BODY } from './payload.mjs'

const JSON_BODY = Buffer.from(JSON.stringify(GET_BODY))
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(JSON_BODY.length) }

let answered = 0
const server = http.createServer((req, res) => {
  answered++
  if (req.method === 'GET' && req.url === '/json') {
    res.writeHead(200, JSON_HEADERS)
    res.end(JSON_BODY)
    return
  }
  if (req.method === 'POST' && req.url === '/echo') {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
      res.end(body)
    })
    return
  }
  req.resume()
  res.writeHead(404, { 'content-type': 'application/json' })
  res.end('{"error":"not found"}')
})

// Keep connections open between requests for as long as the clients do (their keepAliveTimeout is 30 s).
server.keepAliveTimeout = 60_000
server.headersTimeout = 65_000
server.maxRequestsPerSocket = 0

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  if (process.send) process.send({ port })
  else console.log(port)
})

process.on('message', (message) => {
  if (message?.type === 'count') process.send?.({ type: 'count', count: answered })
})

// The parent kills us at the end; also go away if it dies first.
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
