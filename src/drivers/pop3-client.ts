import { Socket, connect } from 'node:net';
import { pause } from '../harness/wait';

/**
 * A minimal POP3 client (RFC 1939): reads a mailbox of an MSSanté-like service (bounces,
 * receipts, replies). Every exchange is bounded by `timeoutMs`.
 */
export async function pop3Fetch(options: {
  host: string;
  port: number;
  user: string;
  password: string;
  timeoutMs?: number;
  delete?: boolean;
}): Promise<Buffer[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const sock: Socket = connect({ host: options.host, port: options.port });
  let buf = Buffer.alloc(0);
  let waiter: (() => void) | null = null;
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    waiter?.();
  });
  const closed = new Promise<void>((r) =>
    sock.once('close', () => {
      waiter?.();
      r();
    }),
  );
  sock.on('error', () => undefined);
  const until = Date.now() + timeoutMs;
  const read = async (multiline: boolean): Promise<Buffer> => {
    for (;;) {
      const end = multiline ? buf.indexOf('\r\n.\r\n') : buf.indexOf('\r\n');
      if (end >= 0) {
        const first = buf.subarray(0, buf.indexOf('\r\n'));
        if (!first.toString('latin1').startsWith('+OK')) {
          const err = first.toString('utf8');
          buf = Buffer.alloc(0);
          throw new Error(`POP3: ${err}`);
        }
        const len = multiline ? end + 5 : end + 2;
        const chunk = buf.subarray(0, len);
        buf = buf.subarray(len);
        return chunk;
      }
      if (sock.destroyed || Date.now() > until)
        throw new Error(`POP3 ${options.host}:${options.port}: no complete answer within ${timeoutMs} ms`);
      await Promise.race([
        new Promise<void>((r) => {
          waiter = r;
        }),
        closed,
        pause(Math.max(1, until - Date.now())),
      ]);
      waiter = null;
    }
  };
  const cmd = async (line: string, multiline = false) => {
    sock.write(line + '\r\n');
    return read(multiline);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    await read(false);
    await cmd(`USER ${options.user}`);
    await cmd(`PASS ${options.password}`);
    const stat = (await cmd('STAT')).toString('latin1');
    const n = Number(/\+OK (\d+)/.exec(stat)?.[1] ?? 0);
    const out: Buffer[] = [];
    for (let i = 1; i <= n; i++) {
      const answer = await cmd(`RETR ${i}`, true);
      // Drop the +OK line and the final ".\r\n", undo dot-stuffing.
      const body = answer
        .subarray(answer.indexOf('\r\n') + 2, answer.length - 3)
        .toString('latin1')
        .replace(/\r\n\.\./g, '\r\n.');
      out.push(Buffer.from(body, 'latin1'));
      if (options.delete) await cmd(`DELE ${i}`);
    }
    await cmd('QUIT').catch(() => undefined);
    return out;
  } finally {
    sock.destroy();
  }
}
