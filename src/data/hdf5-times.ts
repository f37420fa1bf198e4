/**
 * Byte-reproducible HDF5 files. The HDF5 library stamps every version-2 object header ("OHDR") with four
 * wall-clock times (access, modification, change, birth) unless told not to, and h5wasm exposes no switch for
 * that. So two files written from the same data differ in those 16 bytes and in the header's checksum.
 * `zeroHeaderTimes` sets the times to 0 and recomputes each header's Jenkins lookup3 checksum, after which the
 * same dataset gives the same file bytes. A candidate "OHDR" is patched only when its stored checksum verifies,
 * so bytes of array data that happen to spell "OHDR" are left alone (a false match would need a 32-bit
 * checksum collision as well).
 *
 * Facts used (HDF5 file format spec, "Version 2 Object Header"): signature "OHDR", version byte 2, flags byte;
 * flags bit 5 = times stored (4 x uint32 after the flags); bit 4 = attribute phase-change values (2 x uint16);
 * bits 0-1 = width of the "size of chunk 0" field (1, 2, 4 or 8 bytes); then chunk 0's messages, then a
 * uint32 checksum (lookup3, initval 0) of every byte from the signature up to the checksum.
 */

function rot(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Bob Jenkins' lookup3 `hashlittle` over `bytes[start, end)`, the checksum HDF5 uses for its metadata. */
export function lookup3(bytes: Uint8Array, start = 0, end = bytes.length, initval = 0): number {
  let length = end - start;
  let a = (0xdeadbeef + length + initval) >>> 0;
  let b = a;
  let c = a;
  let k = start;
  const word = (o: number): number => (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(k)) >>> 0;
    b = (b + word(k + 4)) >>> 0;
    c = (c + word(k + 8)) >>> 0;
    // mix(a, b, c)
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c;
  // The last 1..12 bytes, added byte-wise into a (bytes 0-3), b (4-7), c (8-11).
  const tail = [0, 0, 0];
  for (let i = 0; i < length; i++) tail[i >> 2]! += bytes[k + i]! << (8 * (i & 3));
  a = (a + (tail[0]! >>> 0)) >>> 0;
  b = (b + (tail[1]! >>> 0)) >>> 0;
  c = (c + (tail[2]! >>> 0)) >>> 0;
  // final(a, b, c)
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}

function readUint(bytes: Uint8Array, o: number, width: number): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + bytes[o + i]!;
  return v;
}

function writeU32(bytes: Uint8Array, o: number, v: number): void {
  bytes[o] = v & 0xff;
  bytes[o + 1] = (v >>> 8) & 0xff;
  bytes[o + 2] = (v >>> 16) & 0xff;
  bytes[o + 3] = (v >>> 24) & 0xff;
}

/**
 * Zeroes the times of every version-2 object header in an HDF5 file image (in place) and fixes the checksums.
 * @returns the number of headers patched
 */
export function zeroHeaderTimes(bytes: Uint8Array): number {
  let patched = 0;
  for (let o = bytes.indexOf(0x4f); o >= 0 && o + 6 <= bytes.length; o = bytes.indexOf(0x4f, o + 1)) {
    if (bytes[o + 1] !== 0x48 || bytes[o + 2] !== 0x44 || bytes[o + 3] !== 0x52 || bytes[o + 4] !== 2) continue; // "OHDR", v2
    const flags = bytes[o + 5]!;
    if ((flags & 0x20) === 0) continue;
    const timesAt = o + 6;
    const sizeAt = timesAt + 16 + (flags & 0x10 ? 4 : 0);
    const sizeWidth = 1 << (flags & 0x03);
    if (sizeAt + sizeWidth > bytes.length) continue;
    const checksumAt = sizeAt + sizeWidth + readUint(bytes, sizeAt, sizeWidth);
    if (checksumAt + 4 > bytes.length) continue;
    if (lookup3(bytes, o, checksumAt) !== readUint(bytes, checksumAt, 4)) continue;
    bytes.fill(0, timesAt, timesAt + 16);
    writeU32(bytes, checksumAt, lookup3(bytes, o, checksumAt));
    patched++;
  }
  return patched;
}
