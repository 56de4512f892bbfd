// The login request (screens and POST /api/v1/auth/token).
import { object, optionalText, password } from '../http/schemas.js';

/** Logging in (screens and POST /auth/token). */
export const loginBody = object({ username: optionalText('Tên đăng nhập', 100), password });
