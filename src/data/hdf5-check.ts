/** Byte-level checks of an HDF5 file before and after the HDF5 library reads it: its signature and its length. */
import { closeSync, openSync, readSync, statSync } from "node:fs";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // "\x89HDF\r\n\x1a\n"

/** HDF5's signature sits at byte 0, or at 512, 1024, 2048, ... when the file has a user block. */
export function hasHdf5Signature(path: string, size: number): boolean {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      if (readSync(fd, buf, 0, 8, offset) === 8 && SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * "truncated: N bytes, the superblock says M" when the file is shorter than the end-of-file address its HDF5
 * superblock records (versions 0-3), else undefined.
 */
export function truncation(path: string): string | undefined {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(64);
      for (let base = 0; base + 8 <= size; base = base === 0 ? 512 : base * 2) {
        if (readSync(fd, buf, 0, 64, base) < 48 || !SIGNATURE.every((b, i) => buf[i] === b)) continue;
        const version = buf[8]!;
        const offsets = version <= 1 ? buf[13]! : buf[9]!;
        if (offsets !== 8 && offsets !== 4) return undefined;
        const at = version === 0 ? 24 + 2 * offsets : version === 1 ? 28 + 2 * offsets : 12 + 2 * offsets;
        const eof = offsets === 8 ? Number(buf.readBigUInt64LE(at)) : buf.readUInt32LE(at);
        return base + eof > size ? `truncated: ${size} bytes, the HDF5 superblock says ${base + eof}` : undefined;
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    /* unreadable: no verdict */
  }
  return undefined;
}

