/**
 * Decoder for the form encoding the Stripe API uses for request bodies:
 * nested fields are written with brackets, as in
 * `line_items[0][price_data][currency]=eur`. Array items keep their index
 * as an object key ("0", "1"), which is all the stand-in needs to read them.
 */

export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

/** Decodes an `application/x-www-form-urlencoded` body into nested objects. */
export function parseStripeForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = splitKey(key);
    if (path) assign(root, path, value);
  }
  return root;
}

/** Reads the string at a dotted path such as "line_items.0.quantity". */
export function formString(form: FormObject, path: string): string | undefined {
  const value = formValue(form, path);
  return typeof value === 'string' ? value : undefined;
}

/** Reads the object at a dotted path, such as "metadata". */
export function formObject(
  form: FormObject,
  path: string,
): FormObject | undefined {
  const value = formValue(form, path);
  return typeof value === 'object' ? value : undefined;
}

function formValue(form: FormObject, path: string): FormValue | undefined {
  let current: FormValue | undefined = form;
  for (const part of path.split('.')) {
    if (typeof current !== 'object') return undefined;
    current = current[part];
  }
  return current;
}

function splitKey(key: string): string[] | undefined {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  const [, head = '', brackets = ''] = match;
  const rest = [...brackets.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  return [head, ...rest];
}

function assign(target: FormObject, path: string[], value: string): void {
  let current = target;
  path.forEach((part, index) => {
    // An empty bracket pair ("tags[]") appends, like a PHP-style array.
    const key = part === '' ? String(Object.keys(current).length) : part;
    if (index === path.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    const child: FormObject = typeof next === 'object' ? next : {};
    current[key] = child;
    current = child;
  });
}
