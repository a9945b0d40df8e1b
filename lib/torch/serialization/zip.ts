// Minimal ZIP reader/writer for PyTorch checkpoints (torch.save's zip format).
// Reader: stored and deflate entries, ZIP64 end records and extra fields. Hostile archives are
// refused before their data is inflated: entries that overlap (one deflate stream counted many
// times), sizes deflate cannot reach from the compressed bytes, and streams that inflate past the
// size their entry declares (inflation stops there).
// Writer: mirrors PyTorch's own (miniz-based) byte layout: stored entries, data descriptors,
// an "FB" extra field padding each record's data to 64 bytes, ZIP64 + classic end records.
import { constants as bufferConstants } from 'node:buffer';
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number; // 0 = stored, 8 = deflate
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const ALIGNMENT = 64;
const UTF8 = new TextDecoder('utf-8', { fatal: false });
/** Deflate's best case: a 258-byte match per 2 bits, ~1032 output bytes per input byte (zlib's own bound). */
export const MAX_DEFLATE_RATIO = 1032;
/** The largest record this reader inflates (Node's largest Buffer). */
export const MAX_RECORD_BYTES = bufferConstants.MAX_LENGTH;

function u64(v: DataView, at: number): number {
  const x = v.getBigUint64(at, true);
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('corrupt: ZIP64 value too large');
  return Number(x);
}

/** Fills the 0xffffffff fields of a central entry from its ZIP64 extra field (id 1). */
function readZip64Extra(v: DataView, start: number, len: number, e: ZipEntry): void {
  for (let p = start; p + 4 <= start + len;) {
    const id = v.getUint16(p, true);
    const size = v.getUint16(p + 2, true);
    if (id === 1) {
      let q = p + 4;
      const next = (): number => {
        if (q + 8 > p + 4 + size) throw new Error(`corrupt: short ZIP64 extra field for '${e.name}'`);
        q += 8;
        return u64(v, q - 8);
      };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
      return;
    }
    p += 4 + size;
  }
  throw new Error(`corrupt: ZIP64 extra field missing for '${e.name}'`);
}

export class ZipReader {
  readonly entries: ZipEntry[] = [];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly view: DataView;

  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    // A plain Uint8Array view: Buffer#slice would not copy where callers expect it to.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The entry's declared (uncompressed) size. */
  size(name: string): number {
    return this.entry(name).size;
  }

  /**
   * The entry's bytes. Stored entries are returned as a view (no copy). Deflated entries inflate
   * into at most their declared size: a stream that goes on past it is stopped and refused there.
   */
  read(name: string): Uint8Array {
    const e = this.entry(name);
    const { start, end } = this.dataRange(e);
    const raw = this.bytes.subarray(start, end);
    let data: Uint8Array;
    if (e.method === 0) {
      if (e.size !== e.compressedSize)
        throw new Error(`corrupt: stored entry '${name}' declares ${e.size} bytes but holds ${e.compressedSize}`);
      data = raw;
    } else if (e.method === 8) {
      if (e.size > MAX_RECORD_BYTES)
        throw new Error(`'${name}' declares ${e.size} bytes, more than the ${MAX_RECORD_BYTES} a record may hold here`);
      if (e.size > e.compressedSize * MAX_DEFLATE_RATIO + 64) {
        throw new Error(
          `corrupt: '${name}' declares ${e.size} bytes from ${e.compressedSize} compressed bytes, more than deflate can produce`,
        );
      }
      try {
        // maxOutputLength stops zlib as soon as the output passes it (checked chunk by chunk).
        data = new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) }));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new Error(`corrupt: '${name}' inflates to more than the ${e.size} bytes it declares (stopped there)`);
        }
        throw new Error(`corrupt: cannot inflate '${name}': ${(err as Error).message}`);
      }
    } else throw new Error(`unsupported zip compression method ${e.method} for '${name}'`);
    if (data.length !== e.size) throw new Error(`corrupt: '${name}' has ${data.length} bytes, expected ${e.size}`);
    if (crc32(data) >>> 0 !== e.crc32) throw new Error(`corrupt: CRC mismatch for '${name}'`);
    return data;
  }

  private entry(name: string): ZipEntry {
    const e = this.byName.get(name);
    if (!e) throw new Error(`zip entry '${name}' not found`);
    return e;
  }

  /** Where the entry's (compressed) data lies in the archive, checked against the archive's bounds. */
  private dataRange(e: ZipEntry): { start: number; end: number } {
    const o = e.localHeaderOffset;
    if (o + 30 > this.bytes.length || this.view.getUint32(o, true) !== SIG_LOCAL) {
      throw new Error(`corrupt: bad local header for '${e.name}'`);
    }
    const start = o + 30 + this.view.getUint16(o + 26, true) + this.view.getUint16(o + 28, true);
    const end = start + e.compressedSize;
    if (end > this.bytes.length) throw new Error(`truncated: data of '${e.name}' runs past end of file`);
    return { start, end };
  }

  /** Entries whose data overlap would let one deflate stream be inflated many times over. */
  private checkNoOverlap(): void {
    const spans = this.entries.map((e) => ({ e, o: e.localHeaderOffset, ...this.dataRange(e) })).sort((a, b) => a.o - b.o);
    for (let i = 1; i < spans.length; i++) {
      const prev = spans[i - 1]!;
      if (spans[i]!.o < prev.end) throw new Error(`corrupt: zip entries '${prev.e.name}' and '${spans[i]!.e.name}' overlap`);
    }
  }

  private readCentralDirectory(): void {
    const b = this.bytes;
    const v = this.view;
    if (b.length < 22) throw new Error('truncated: too short to be a zip archive');
    // EOCD is at the end, possibly followed by a comment of up to 65535 bytes.
    let eocd = -1;
    for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
      if (v.getUint32(i, true) === SIG_EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw new Error(
        v.getUint32(0, true) === SIG_LOCAL
          ? 'truncated: zip end-of-central-directory record not found'
          : 'not a zip archive (no end-of-central-directory record)',
      );
    }
    let count = v.getUint16(eocd + 10, true);
    let cdSize = v.getUint32(eocd + 12, true);
    let cdOffset = v.getUint32(eocd + 16, true);
    let cdEnd = eocd;
    // PyTorch always writes a ZIP64 end record (and its locator) before the classic one.
    if (eocd >= 20 && v.getUint32(eocd - 20, true) === SIG_EOCD64_LOCATOR) {
      const at = u64(v, eocd - 20 + 8);
      if (at + 56 > eocd - 20 || v.getUint32(at, true) !== SIG_EOCD64) throw new Error('corrupt: bad ZIP64 end record');
      count = u64(v, at + 32);
      cdSize = u64(v, at + 40);
      cdOffset = u64(v, at + 48);
      cdEnd = at;
    } else if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw new Error('corrupt: ZIP64 end record missing');
    }
    if (cdOffset + cdSize > cdEnd) throw new Error('corrupt: central directory lies outside the file');
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cdEnd || v.getUint32(p, true) !== SIG_CENTRAL) {
        throw new Error(`corrupt: bad central directory entry #${i}`);
      }
      const nameLen = v.getUint16(p + 28, true);
      const extraLen = v.getUint16(p + 30, true);
      const commentLen = v.getUint16(p + 32, true);
      const entry: ZipEntry = {
        name: UTF8.decode(b.subarray(p + 46, p + 46 + nameLen)),
        method: v.getUint16(p + 10, true),
        crc32: v.getUint32(p + 16, true),
        compressedSize: v.getUint32(p + 20, true),
        size: v.getUint32(p + 24, true),
        localHeaderOffset: v.getUint32(p + 42, true),
      };
      if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff || entry.localHeaderOffset === 0xffffffff) {
        readZip64Extra(v, p + 46 + nameLen, extraLen, entry);
      }
      if (v.getUint16(p + 8, true) & 1) throw new Error(`unsupported: encrypted zip entry '${entry.name}'`);
      this.entries.push(entry);
      if (!this.byName.has(entry.name)) this.byName.set(entry.name, entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
    this.checkNoOverlap();
  }
}

/** Writes stored entries, laid out as PyTorch's PyTorchStreamWriter does. */
export function writeZip(records: { name: string; data: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder();
  const central: Uint8Array[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const r of records) {
    const name = enc.encode(r.name);
    // Pad so that the data starts on a 64-byte boundary: extra field "FB" + len + 'Z'*len.
    const start = offset + 30 + name.length + 4;
    const pad = (ALIGNMENT - (start % ALIGNMENT)) % ALIGNMENT;
    const crc = crc32(r.data) >>> 0;
    const local = new Uint8Array(30 + name.length + 4 + pad);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, 0, true); // version needed: PyTorch writes 0
    lv.setUint16(6, 0x0808, true); // UTF-8 names + data descriptor follows
    // method, time, date, crc, sizes stay 0 (given in the data descriptor and central directory)
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 4 + pad, true);
    local.set(name, 30);
    local[30 + name.length] = 0x46; // 'F'
    local[31 + name.length] = 0x42; // 'B'
    lv.setUint16(32 + name.length, pad, true);
    local.fill(0x5a, 34 + name.length); // 'Z'
    const desc = new Uint8Array(16);
    const dv = new DataView(desc.buffer);
    dv.setUint32(0, SIG_DESCRIPTOR, true);
    dv.setUint32(4, crc, true);
    dv.setUint32(8, r.data.length, true);
    dv.setUint32(12, r.data.length, true);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(8, 0x0808, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, r.data.length, true);
    cv.setUint32(24, r.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    central.push(cd);
    parts.push(local, r.data, desc);
    offset += local.length + r.data.length + desc.length;
    if (offset >= 0xffffffff) throw new Error('checkpoint too large: ZIP64 (over 4 GiB) is not supported');
  }
  if (records.length >= 0xffff) throw new Error('too many zip entries: ZIP64 is not supported');
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  // Like PyTorch: a ZIP64 end record + locator, then the classic end record.
  const end = new Uint8Array(56 + 20 + 22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, SIG_EOCD64, true);
  ev.setBigUint64(4, 44n, true); // size of the rest of this record
  ev.setUint16(12, 0x031e, true); // made by: Unix, spec 3.0
  ev.setUint16(14, 0x2d, true); // needed: 4.5 (ZIP64)
  ev.setBigUint64(24, BigInt(records.length), true);
  ev.setBigUint64(32, BigInt(records.length), true);
  ev.setBigUint64(40, BigInt(cdSize), true);
  ev.setBigUint64(48, BigInt(offset), true);
  ev.setUint32(56, SIG_EOCD64_LOCATOR, true);
  ev.setBigUint64(64, BigInt(offset + cdSize), true);
  ev.setUint32(72, 1, true); // total number of disks
  ev.setUint32(76, SIG_EOCD, true);
  ev.setUint16(84, records.length, true);
  ev.setUint16(86, records.length, true);
  ev.setUint32(88, cdSize, true);
  ev.setUint32(92, offset, true);
  const out = new Uint8Array(offset + cdSize + end.length);
  let p = 0;
  for (const part of [...parts, ...central, end]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
