// The conformance server's routes for trace() (test/conformance/trace.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'

export const traceRoutes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  // The headers (200) and a tenth of a JSON body; then the connection is cut.
  '/cut': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
    res.write('{"items":[')
    setTimeout(() => res.destroy(), 20)
  },
}
