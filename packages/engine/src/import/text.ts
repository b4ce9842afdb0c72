// Byte decoding and text cleanup shared by the vCard and CSV readers. Only
// TextDecoder and TextEncoder are used, so this runs in browsers and Node.

/** The file content as bytes, and whether the caller had decoded it. */
export interface SourceBytes {
  bytes: Uint8Array;
  /**
   * True when the caller passed a string: its characters are already
   * decoded, so CHARSET parameters no longer apply to raw values.
   */
  fromText: boolean;
}

/** Turns either input form into bytes without a byte order mark. */
export function readSource(content: string | Uint8Array): SourceBytes {
  if (typeof content === 'string') {
    const text = content.replace(/^\uFEFF/, '');
    return { bytes: new TextEncoder().encode(text), fromText: true };
  }

  // UTF-16 files (some Windows exports) are rare, but without this step
  // every second byte would be a NUL and nothing would be recognised.
  const utf16 = utf16Label(content);
  if (utf16 !== undefined) {
    return readSource(new TextDecoder(utf16).decode(content));
  }

  const hasUtf8Bom =
    content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf;
  return {
    bytes: hasUtf8Bom ? content.subarray(3) : content,
    fromText: false,
  };
}

function utf16Label(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * Maps bytes one to one onto the characters U+0000 to U+00FF, so the
 * vCard reader can split and unfold lines before it reads each value's
 * charset. A multi-byte character split by a line fold stays intact.
 */
export function bytesToBinary(bytes: Uint8Array): string {
  const chunkSize = 0x8000;
  let binary = '';
  for (let start = 0; start < bytes.length; start += chunkSize) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunkSize));
  }
  return binary;
}

export function binaryToBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Decodes bytes in the declared charset when the runtime supports that
 * label. Without one, it tries UTF-8 and falls back to windows-1252 when
 * the bytes are not valid UTF-8 (old Outlook and Windows exports).
 *
 * NOTE: undeclared Central European text (Polish vCard 2.1 files are often
 * windows-1250) is read as windows-1252, so a few letters come out wrong.
 */
export function decodeBytes(bytes: Uint8Array, charset?: string): string {
  const declared = charset === undefined ? undefined : decoderFor(charset);
  if (declared !== undefined) return declared.decode(bytes);

  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function decoderFor(charset: string): TextDecoder | undefined {
  try {
    return new TextDecoder(charset.trim().toLowerCase());
  } catch {
    // An unknown label is treated like a missing one.
    return undefined;
  }
}

// Unicode category Cc: the C0 and C1 control characters and DEL.
const CONTROL_CHARS = /\p{Cc}/gu;
// Bidi embeddings, overrides and isolates can make one name display as
// another, so names lose them. Marks (LRM, RLM) stay: they change no order.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Normalizes a name to NFC, turns control characters into spaces and
 * drops bidi controls. Returns undefined for a name that ends up empty.
 */
export function cleanName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = value
    .normalize('NFC')
    .replace(BIDI_CONTROLS, '')
    .replace(CONTROL_CHARS, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cleaned === '' ? undefined : cleaned;
}

/**
 * Normalizes multi-line text (notes, addresses) to NFC with `\n` line
 * ends, keeping tabs and line breaks but no other control characters.
 */
export function cleanText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = value
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_CHARS, (char) =>
      char === '\n' || char === '\t' ? char : '',
    )
    .trim();
  return cleaned === '' ? undefined : cleaned;
}

/** Trims an email value and removes a `mailto:` prefix or angle brackets. */
export function cleanEmail(value: string): string {
  const cleaned = cleanName(value) ?? '';
  return cleaned
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim();
}

/**
 * Checks the shape local@domain with no spaces or list separators. This
 * is a plausibility check for import only; it accepts domains without a
 * dot, such as `contact@invalid`, which exports from test systems contain.
 */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@,;<>"]+@[^\s@,;<>"]+$/.test(value);
}
