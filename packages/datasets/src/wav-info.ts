import fs from 'node:fs';

export interface WavInfo {
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  /** data bytes / byteRate, seconds. */
  durationS: number;
}

/**
 * Reads a RIFF/WAVE header without reading the samples: walks the chunks to 'fmt ' and 'data'
 * (skipping LIST, fact, ...). Returns null when the file is not a readable WAV, so a loader can
 * leave the duration unknown and let the feature stage judge the audio.
 */
export function readWavInfo(file: string): WavInfo | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (fs.readSync(fd, head, 0, 12, 0) < 12) return null;
    if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
    let pos = 12;
    let fmt: { channels: number; sampleRateHz: number; byteRate: number; bitsPerSample: number } | null = null;
    const chunk = Buffer.alloc(24);
    while (pos + 8 <= size) {
      const n = fs.readSync(fd, chunk, 0, 24, pos);
      if (n < 8) return null;
      const id = chunk.toString('latin1', 0, 4);
      const len = chunk.readUInt32LE(4);
      if (id === 'fmt ') {
        if (n < 24) return null;
        fmt = {
          channels: chunk.readUInt16LE(10),
          sampleRateHz: chunk.readUInt32LE(12),
          byteRate: chunk.readUInt32LE(16),
          bitsPerSample: chunk.readUInt16LE(22),
        };
      } else if (id === 'data') {
        if (!fmt || fmt.byteRate === 0) return null;
        // a truncated file (or a streaming writer's 0/0xffffffff size) holds only what is there
        const bytes = Math.min(len, size - pos - 8);
        return { sampleRateHz: fmt.sampleRateHz, channels: fmt.channels, bitsPerSample: fmt.bitsPerSample, durationS: bytes / fmt.byteRate };
      }
      pos += 8 + len + (len % 2);
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
