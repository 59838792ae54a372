import http from 'node:http';
import zlib from 'node:zlib';

/**
 * The load generator's HTTP client: node:http over keep-alive connections. It sends what the
 * workspace's fetch sends (cookie, Origin, JSON content type, and a browser's Accept-Encoding, so
 * the server compresses exactly as it would for a browser) and decodes what comes back. Node's
 * global fetch cost the generator ~2 ms of CPU per request (27% of a core at ~130 requests/s on a
 * machine whose other core the web instance needs); this costs a fraction of that.
 */
// Idle connections are closed after 3 s, before the server's keep-alive timeout (Node's default 5 s), so a
// request is rarely sent on a connection the server is closing.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo', timeout: 3000 });

export type Reply = { status: number; type: string; body: Buffer };

/**
 * A request on a kept-alive connection that the server closed meanwhile fails with ECONNRESET
 * before any reply; like browsers (and as Node's docs advise), that one case is sent again on a
 * fresh connection. Saves are idempotent by request id anyway.
 */
export async function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(url, method, headers, body);
    } catch (error) {
      const { reusedSocket, code } = error as { reusedSocket?: boolean; code?: string };
      if (!reusedSocket || code !== 'ECONNRESET' || attempt >= 3) {
        throw Object.assign(error as Error, { message: `${(error as Error).message} (${code ?? 'no code'}${reusedSocket ? ', kept-alive connection' : ''})` });
      }
    }
  }
}

function once(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { 'accept-encoding': 'gzip, deflate, br', ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        try {
          const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'];
          const decoded = encoding === 'gzip' ? zlib.gunzipSync(raw) : encoding === 'br' ? zlib.brotliDecompressSync(raw) : encoding === 'deflate' ? zlib.inflateSync(raw) : raw;
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: decoded });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}
