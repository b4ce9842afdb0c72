export {
  FALLBACK_FILE_NAME,
  MAX_FILE_NAME_BYTES,
  sanitizeFileName,
  truncateFileName,
  utf8ByteLength,
} from './names.js';
export {
  asciiFallback,
  contentDispositionAttachment,
  encodeRfc5987,
} from './content-disposition.js';
