/** Returns a text field of submitted form data, or '' when it is absent. */
export function textField(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}
