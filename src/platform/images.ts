import type { ResizeOptions } from 'sharp';

/**
 * sharp (libvips) is loaded on the first picture, not at start: it adds about
 * 28 MB to every process, most of which never handles a picture.
 */
let loaded: Promise<typeof import('sharp')> | undefined;
const loadSharp = () => (loaded ??= import('sharp'));

/** Refuse pictures that would take this many pixels to decode (a small file can claim a huge picture). */
const MAX_PIXELS = 60_000_000;

export type ImageFailure = 'too_many_pixels' | 'unreadable';

/**
 * Re-encodes a picture as WebP: turned upright from its EXIF orientation,
 * resized as asked, and with every piece of metadata dropped (re-encoding
 * keeps none). Throws `ImageError` for a picture too large to decode or one
 * that cannot be read (damaged, cut short, not really an image).
 */
export async function reencodeImage(data: Buffer, resize: ResizeOptions, quality = 80): Promise<{ data: Buffer; width: number; height: number }> {
  const { default: sharp } = await loadSharp();
  try {
    const out = await sharp(data, { limitInputPixels: MAX_PIXELS, failOn: 'error', animated: false }).rotate().resize(resize).webp({ quality }).toBuffer({ resolveWithObject: true });
    return { data: out.data, width: out.info.width, height: out.info.height };
  } catch (err) {
    throw new ImageError(/pixel limit/i.test((err as Error).message) ? 'too_many_pixels' : 'unreadable');
  }
}

export class ImageError extends Error {
  constructor(readonly reason: ImageFailure) {
    super(`image ${reason}`);
  }
}

/** A square PNG of an SVG drawing (the app's icons), on a background, with room around it. */
export async function pngIcon(svg: Buffer, size: number, background: string): Promise<Buffer> {
  const { default: sharp } = await loadSharp();
  const inner = Math.round(size * 0.7);
  const art = await sharp(svg, { density: 300 }).resize(inner, inner, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer();
  return sharp({ create: { width: size, height: size, channels: 4, background } })
    .composite([{ input: art, gravity: 'center' }])
    .png()
    .toBuffer();
}
