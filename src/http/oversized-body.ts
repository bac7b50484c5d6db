import type { IncomingMessage } from 'node:http';

// A body over the limit is refused (413) before it is read. Closing the connection while the
// client is still sending leaves unread bytes in the socket, and the kernel answers them with
// a TCP reset: the client then sees "connection reset" instead of our 413 (issue 14 measured 1
// to 4 of 18 tries). So the rest of the body is read and thrown away first, up to a bound, and
// only then answered; a client that sends more than the bound, or too slowly, is cut off.

/** At most this much more is read and discarded after a refusal. */
export const DISCARD_LIMIT_BYTES = 8 * 1024 * 1024;
/** And for at most this long. */
export const DISCARD_LIMIT_MS = 10_000;

/** Resolves once the request body has been read to its end, or the bound is reached. */
export function discardRequestBody(request: IncomingMessage, limits = { bytes: DISCARD_LIMIT_BYTES, ms: DISCARD_LIMIT_MS }): Promise<void> {
  if (request.complete || request.readableEnded || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      request.removeListener('data', onData);
      request.removeListener('end', finish);
      request.removeListener('close', finish);
      request.removeListener('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limits.bytes) finish();
    };
    const timer = setTimeout(finish, limits.ms);
    request.on('data', onData);
    request.once('end', finish);
    request.once('close', finish);
    request.once('error', finish);
    request.resume();
  });
}
