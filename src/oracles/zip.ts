import { inflateRawSync } from 'node:zlib';

/**
 * Reads the entries of a ZIP archive (IHE XDM packages), with bounds: a broken or hostile archive
 * is an error with a clear reason, never a crash or an unbounded inflation.
 */
export interface ZipEntry {
  name: string;
  size: number;
  content: Buffer;
}

export function readZip(buf: Buffer, limits = { maxEntries: 1000, maxTotalBytes: 200 * 1024 * 1024 }): ZipEntry[] {
  if (buf.length < 22) throw new Error('not a ZIP archive (too short)');
  // End of central directory: signature 0x06054b50, searched backwards over the comment (≤ 64 KiB).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  if (count > limits.maxEntries) throw new Error(`ZIP archive with ${count} entries (limit ${limits.maxEntries})`);
  const out: ZipEntry[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (offset + 46 > buf.length || buf.readUInt32LE(offset) !== 0x02014b50) throw new Error('broken ZIP archive (central directory)');
    const method = buf.readUInt16LE(offset + 10);
    const csize = buf.readUInt32LE(offset + 20);
    const usize = buf.readUInt32LE(offset + 24);
    const nlen = buf.readUInt16LE(offset + 28);
    const xlen = buf.readUInt16LE(offset + 30);
    const clen = buf.readUInt16LE(offset + 32);
    const local = buf.readUInt32LE(offset + 42);
    const name = buf.subarray(offset + 46, offset + 46 + nlen).toString('utf8');
    offset += 46 + nlen + xlen + clen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`broken ZIP archive (local header of ${name})`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + csize > buf.length) throw new Error(`broken ZIP archive (${name} truncated)`);
    total += usize;
    if (total > limits.maxTotalBytes) throw new Error(`ZIP archive inflating past ${limits.maxTotalBytes} bytes`);
    const data = buf.subarray(start, start + csize);
    let content: Buffer;
    if (method === 0) content = Buffer.from(data);
    else if (method === 8) content = inflateRawSync(data, { maxOutputLength: Math.max(usize, 1) });
    else throw new Error(`ZIP entry ${name}: compression method ${method} not supported`);
    if (!name.endsWith('/')) out.push({ name, size: content.length, content });
  }
  return out;
}
