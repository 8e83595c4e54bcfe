import { deflateRawSync } from 'node:zlib';

/** CRC-32 (the zip's checksum; focal does not check it, unzip does). */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * An .npz as np.savez (stored) or np.savez_compressed (deflated) lays it out: one member
 * NAME.npy per array, local headers, a central directory and its end record (without numpy's
 * zip64 extras, which the reader takes too: test/fixtures/formats/*.npz are numpy's own).
 * For inputs larger than the committed fixtures (worker threads need several 64 KiB).
 */
export function npzBytes(arrays: Record<string, Buffer>, method: 'stored' | 'deflated'): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, npy] of Object.entries(arrays)) {
    const fileName = Buffer.from(`${name}.npy`, 'utf8');
    const data = method === 'stored' ? npy : deflateRawSync(npy);
    const crc = crc32(npy);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(method === 'stored' ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.byteLength, 18);
    local.writeUInt32LE(npy.byteLength, 22);
    local.writeUInt16LE(fileName.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method === 'stored' ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.byteLength, 20);
    central.writeUInt32LE(npy.byteLength, 24);
    central.writeUInt16LE(fileName.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += 30 + fileName.byteLength + data.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(arrays).length, 8);
  end.writeUInt16LE(Object.keys(arrays).length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
