// A form field or query parameter as text: trimmed, and '' for anything that is not a string (absent, repeated).
export const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
