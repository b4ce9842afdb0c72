// Validation of the one email address a portal account is created for. The
// address ends up as an SMTP envelope recipient and in a `To:` header, so the
// accepted form is deliberately narrower than RFC 5322: one unquoted
// addr-spec, ASCII only, with a DNS host name as the domain. Anything that
// could smuggle a second recipient or a header line is rejected here.

/** Result of `validateEmailAddress`. */
export type AddressCheck =
  { ok: true; address: string } | { ok: false; reason: string };

/** Maximum octets of the local part (RFC 5321, section 4.5.3.1.1). */
export const MAX_LOCAL_PART_OCTETS = 64;

/** Maximum octets of a whole address usable in an SMTP path (RFC 5321). */
export const MAX_ADDRESS_OCTETS = 254;

/** Maximum octets of one DNS label (RFC 1035). */
const MAX_LABEL_OCTETS = 63;

const EXAMPLE = 'name@example.com';

// RFC 5322 atext: the characters of an unquoted local part besides dots.
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;
const LDH_LABEL = /^[a-z0-9-]+$/;
const LETTERS_ONLY = /^[a-z]+$/;

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// Characters that are invisible or reorder text on screen, so a reason that
// shows them raw could display something other than the stored value.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

const NAMED_ESCAPES: Record<string, string> = {
  '\r': '\\r',
  '\n': '\\n',
  '\t': '\\t',
};

const encoder = new TextEncoder();

/**
 * Checks that `input` is exactly one plain address (`local@domain`) that a
 * portal account can use. On success it returns the address trimmed of
 * surrounding spaces, with the domain lower-cased. The local part keeps its
 * case, because RFC 5321 lets the receiving host treat it as case-sensitive.
 * On failure `reason` names the value (control characters escaped) and states
 * what to change.
 */
export function validateEmailAddress(input: unknown): AddressCheck {
  if (typeof input !== 'string' || input.trim() === '') {
    return fail(`Email address is missing. Enter one address like ${EXAMPLE}.`);
  }

  // Control characters are checked before trimming so that a trailing line
  // break is rejected instead of silently removed.
  const control = CONTROL.exec(input);
  if (control) {
    return invalid(
      input,
      `contains the control character ${escapeCharacter(control[0])}. ` +
        'Remove line breaks, tabs and other control characters.',
    );
  }

  const address = input.replace(/^ +| +$/g, '');
  return checkForm(address) ?? checkParts(address);
}

/**
 * Formats a value for an error message or a log line: quoted, control and
 * invisible characters escaped, and cut to a readable length.
 */
export function describeValue(value: string, maxLength = 80): string {
  // Cutting before escaping keeps every escape sequence whole.
  const characters = Array.from(value);
  const cut = characters.length > maxLength;
  const prefix = cut ? characters.slice(0, maxLength).join('') : value;
  const escaped = prefix
    .replace(/[\\"]/g, '\\$&')
    .replace(INVISIBLE, escapeCharacter);
  return `"${escaped}${cut ? '…' : ''}"`;
}

function checkForm(address: string): AddressCheck | undefined {
  if (octets(address) > MAX_ADDRESS_OCTETS) {
    return invalid(
      address,
      `is ${octets(address)} bytes long, over the maximum of ` +
        `${MAX_ADDRESS_OCTETS}. Use a shorter address.`,
    );
  }
  if (/\s/u.test(address)) {
    return invalid(
      address,
      'contains a space. Enter only the address, without a name or spaces.',
    );
  }
  if (/[<>]/.test(address)) {
    return invalid(
      address,
      'contains < or >. Enter only the address itself, like ' +
        `${EXAMPLE}, without a display name.`,
    );
  }
  if (/[,;]/.test(address)) {
    return invalid(
      address,
      'contains , or ; which separate several addresses. ' +
        'Enter exactly one address.',
    );
  }
  if (/[()]/.test(address)) {
    return invalid(
      address,
      'contains a comment in parentheses. Remove the part in ( ).',
    );
  }
  if (address.includes('"')) {
    return invalid(
      address,
      'contains a quoted part. Quoted local parts are not accepted; ' +
        'enter an address without quotes.',
    );
  }
  return undefined;
}

function checkParts(address: string): AddressCheck {
  const parts = address.split('@');
  if (parts.length === 1) {
    return invalid(address, `has no @. Enter an address like ${EXAMPLE}.`);
  }
  if (parts.length > 2) {
    return invalid(
      address,
      'contains more than one @. Enter exactly one address.',
    );
  }

  const [local = '', domain = ''] = parts;
  const problem = checkLocalPart(local) ?? checkDomain(domain);
  if (problem !== undefined) {
    return invalid(address, problem);
  }
  return { ok: true, address: `${local}@${domain.toLowerCase()}` };
}

function checkLocalPart(local: string): string | undefined {
  if (local === '') {
    return `has nothing before the @. Enter an address like ${EXAMPLE}.`;
  }
  if (octets(local) > MAX_LOCAL_PART_OCTETS) {
    return (
      `has a part before the @ of ${octets(local)} bytes, over the ` +
      `maximum of ${MAX_LOCAL_PART_OCTETS}. Use a shorter address.`
    );
  }
  for (const character of local) {
    if (character !== '.' && !ATEXT.test(character)) {
      return (
        `contains ${describeValue(character)} before the @, which is not ` +
        'allowed. Use letters, digits and . _ + - only.'
      );
    }
  }
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return (
      'has a dot at the start or end of the part before the @, or two ' +
      'dots in a row. Remove the extra dot.'
    );
  }
  return undefined;
}

function checkDomain(domain: string): string | undefined {
  if (domain === '') {
    return `has nothing after the @. Enter an address like ${EXAMPLE}.`;
  }
  if (domain.endsWith('.')) {
    return 'ends with a dot. Remove the dot after the domain.';
  }
  if (!/^[\x21-\x7e]*$/.test(domain)) {
    return nonAsciiDomain(domain);
  }

  const labels = domain.toLowerCase().split('.');
  for (const label of labels) {
    const problem = checkLabel(label);
    if (problem !== undefined) {
      return problem;
    }
  }
  return checkTopLevel(labels);
}

function checkLabel(label: string): string | undefined {
  if (label === '') {
    return (
      'has an empty part in the domain (a dot at its start or two dots ' +
      'in a row). Remove the extra dot.'
    );
  }
  if (octets(label) > MAX_LABEL_OCTETS) {
    return (
      `has a domain part of ${octets(label)} characters, over the ` +
      `maximum of ${MAX_LABEL_OCTETS}. Check the domain.`
    );
  }
  if (!LDH_LABEL.test(label)) {
    return (
      `has a domain part ${describeValue(label)} with characters other ` +
      'than letters, digits and hyphens. Check the domain; IP addresses ' +
      'in brackets are not accepted.'
    );
  }
  // NOTE: the punycode payload after `xn--` is not decoded, so a
  // malformed IDN label passes here and fails at the mail server.
  if (label === 'xn--') {
    return 'has an empty punycode label (xn--). Check the domain.';
  }
  if (label.startsWith('-') || label.endsWith('-')) {
    return (
      `has a domain part ${describeValue(label)} that starts or ends ` +
      'with a hyphen. Check the domain.'
    );
  }
  // Labels with hyphens in positions 3 and 4 are reserved (RFC 5891,
  // section 4.2.3.1); `xn--` is the only prefix in use, for punycode.
  if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
    return (
      `has a domain part ${describeValue(label)} with -- in the third ` +
      'and fourth place, which only punycode (xn--) labels may use. ' +
      'Check the domain.'
    );
  }
  return undefined;
}

function checkTopLevel(labels: string[]): string | undefined {
  const topLevel = labels[labels.length - 1] ?? '';
  if (labels.length < 2) {
    return (
      `has the domain ${describeValue(topLevel)} without a top-level ` +
      `domain. Enter a full domain like example.com.`
    );
  }
  const punycode = topLevel.startsWith('xn--');
  if (!punycode && (topLevel.length < 2 || !LETTERS_ONLY.test(topLevel))) {
    return (
      `ends with ${describeValue(topLevel)}, which is not a top-level ` +
      'domain (at least two letters). Check the end of the domain.'
    );
  }
  return undefined;
}

function nonAsciiDomain(domain: string): string {
  const ascii = toPunycode(domain);
  const suggestion =
    ascii === undefined ? '' : ` For this domain that is ${ascii}.`;
  return (
    'has non-ASCII characters in the domain. Write an international ' +
    `domain in its punycode (xn--) form.${suggestion}`
  );
}

// The WHATWG URL parser in browsers and Node converts a host name to its
// punycode form, so the reason can show the form to enter.
function toPunycode(domain: string): string | undefined {
  try {
    const host = new URL(`http://${domain}/`).hostname;
    return /^[a-z0-9.-]+$/.test(host) && host !== domain ? host : undefined;
  } catch {
    return undefined;
  }
}

function octets(value: string): number {
  return encoder.encode(value).length;
}

function escapeCharacter(character: string): string {
  const named = NAMED_ESCAPES[character];
  if (named !== undefined) {
    return named;
  }
  const code = character.codePointAt(0) ?? 0;
  return `\\u{${code.toString(16).padStart(4, '0')}}`;
}

function invalid(address: string, problem: string): AddressCheck {
  return fail(`Email address ${describeValue(address)} ${problem}`);
}

function fail(reason: string): AddressCheck {
  return { ok: false, reason };
}
