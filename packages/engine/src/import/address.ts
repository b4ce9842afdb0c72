/** The parts of a postal address as vCard ADR and CSV exports split it. */
export interface AddressParts {
  poBox?: string;
  extended?: string;
  street?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

/**
 * Formats an address as lines: PO box, extended part and street, then
 * "locality, region postal-code", then the country. Returns undefined when
 * every part is empty.
 *
 * NOTE: the layout follows US and UK habits; countries that put the postal
 * code first (Germany, France) read "Berlin 10115" instead of "10115
 * Berlin". Every part is kept; only the order can read oddly.
 */
export function formatAddress(parts: AddressParts): string | undefined {
  const place = [parts.locality, parts.region]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(', ');
  const placeLine = [place, parts.postalCode?.trim()].filter(Boolean).join(' ');

  const lines = [
    parts.poBox,
    parts.extended,
    parts.street,
    placeLine,
    parts.country,
  ]
    .map((line) => line?.trim())
    .filter((line): line is string => Boolean(line));
  return lines.length === 0 ? undefined : lines.join('\n');
}
