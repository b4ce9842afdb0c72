/**
 * The password rules the portal shows and checks while the client types.
 * The relay checks the same rules again; these only give early feedback.
 */

export const MIN_PASSWORD_LENGTH = 12;

export type PasswordRuleId = 'length' | 'common' | 'email' | 'match';

export interface PasswordRuleResult {
  id: PasswordRuleId;
  /** The rule as the client reads it. */
  label: string;
  passed: boolean;
}

// Passwords of 12 or more characters that appear near the top of public
// breach statistics, in lower case. Shorter ones already fail the length
// rule. NOTE: a short local list, so it catches only the most common
// choices; the relay's check is the one that counts.
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123123123123',
  '111111111111',
  '000000000000',
  '123456123456',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'password123!',
  'qwertyuiop12',
  'qwertyuiop123',
  'qwerty123456',
  'qwertyqwerty',
  'asdfghjkl123',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'qazwsxedcrfv',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'welcome123456',
  'changeme1234',
  'administrator',
  'abcdefghijkl',
  'abc123abc123',
  'football1234',
  'baseball1234',
  'sunshine1234',
  'princess1234',
  'trustno1trustno1',
  'correcthorsebatterystaple',
]);

/** Checks `password` against every rule; `confirmation` must repeat it. */
export function checkPassword(
  password: string,
  confirmation: string,
  email: string,
): PasswordRuleResult[] {
  return [
    {
      id: 'length',
      label: `At least ${MIN_PASSWORD_LENGTH} characters`,
      passed: [...password].length >= MIN_PASSWORD_LENGTH,
    },
    {
      id: 'common',
      label: 'Not a commonly used password',
      passed: password !== '' && !isCommonPassword(password),
    },
    {
      id: 'email',
      label: 'Not your email address',
      passed: password !== '' && !containsEmail(password, email),
    },
    {
      id: 'match',
      label: 'Both entries match',
      passed: password !== '' && password === confirmation,
    },
  ];
}

export function allRulesPass(results: readonly PasswordRuleResult[]): boolean {
  return results.every((result) => result.passed);
}

/** True for a listed password or one character repeated throughout. */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  return new Set(lower).size <= 1;
}

/**
 * True when the password is the email, or its part before the `@` padded
 * only with digits and punctuation, such as "jane.doe2024!".
 */
function containsEmail(password: string, email: string): boolean {
  const lowerPassword = password.toLowerCase();
  const lowerEmail = email.trim().toLowerCase();
  if (lowerEmail === '') return false;
  if (lowerPassword === lowerEmail) return true;

  const localPart = lowerEmail.split('@')[0] ?? '';
  if (localPart.length < 4 || !lowerPassword.includes(localPart)) return false;
  const rest = lowerPassword.replace(localPart, '');
  return !/\p{L}/u.test(rest);
}
