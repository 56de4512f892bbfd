// The login request (screens and POST /api/v1/auth/token).
import { object, optionalText, password } from '../http/schemas.js';

/** Logging in (screens and POST /auth/token). */
export const loginBody = object({ username: optionalText('Tên đăng nhập', 100), password });

/** POST /auth/token: the working agency of a user with roles in several agencies (optional). */
export const tokenAgency = object({ agencyCode: optionalText('Cơ quan làm việc', 100) });
