/**
 * The relay's auth routes. The session lives in an HttpOnly cookie that
 * the portal never reads; these calls only start, check and end it.
 */
import { ApiError, requestJson } from './http.js';

export interface Session {
  role: 'staff' | 'client';
  email: string;
  contactId?: string;
  /** True until a temporary password is replaced. */
  mustChangePassword: boolean;
}

export interface LoginResult {
  role: 'staff' | 'client';
  mustChangePassword: boolean;
}

/** Returns the current session, or undefined when there is none. */
export async function fetchSession(): Promise<Session | undefined> {
  try {
    return await requestJson<Session>('GET', '/api/auth/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

export async function login(
  email: string,
  password: string,
): Promise<LoginResult> {
  const result = await requestJson<LoginResult>('POST', '/api/auth/login', {
    email,
    password,
  });
  if (result === undefined) {
    throw new ApiError(
      200,
      'empty_body',
      'The login response was empty. Try again.',
    );
  }
  return result;
}

export async function logout(): Promise<void> {
  await requestJson('POST', '/api/auth/logout');
}

export async function changePassword(
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  await requestJson('POST', '/api/auth/password', {
    currentPassword,
    newPassword,
  });
}

/** Requests a reset email. The relay returns 202 for any address. */
export async function requestPasswordReset(email: string): Promise<void> {
  await requestJson('POST', '/api/auth/forgot', { email });
}

export async function resetPassword(
  token: string,
  newPassword: string,
): Promise<void> {
  await requestJson('POST', '/api/auth/reset', { token, newPassword });
}
