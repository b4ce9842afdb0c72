// Downloads carry a Content-Type the relay chooses, never the one an
// uploader sent. Only types a browser shows passively (no script runs) are
// allowed; HTML, SVG, XML and anything unknown become
// application/octet-stream, so a hostile upload cannot run script on the
// relay's origin even if a user opens it in a tab.

/** Content-Type for bytes the relay does not vouch for. */
export const OPAQUE_MEDIA_TYPE = 'application/octet-stream';

const PASSIVE_BY_EXTENSION: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  heif: 'image/heif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  txt: 'text/plain',
  csv: 'text/csv',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  zip: 'application/zip',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};

const PASSIVE_TYPES = new Set(Object.values(PASSIVE_BY_EXTENSION));

/**
 * Chooses the Content-Type of a download. A given `mediaType` is kept only
 * if it is a passive type; without one, the name's extension decides.
 * Everything else is application/octet-stream. Parameters such as
 * `charset` are dropped.
 */
export function safeMediaType(mediaType?: string, name?: string): string {
  if (mediaType !== undefined) {
    const essence = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
    return PASSIVE_TYPES.has(essence) ? essence : OPAQUE_MEDIA_TYPE;
  }

  const dot = name?.lastIndexOf('.') ?? -1;
  if (name === undefined || dot < 0) return OPAQUE_MEDIA_TYPE;
  const extension = name.slice(dot + 1).toLowerCase();
  return PASSIVE_BY_EXTENSION[extension] ?? OPAQUE_MEDIA_TYPE;
}
