// The register-book request schemas: what a PATCH keeps and how a refusal names the field.
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { parse } from '../http/schemas.js';
import { bookPatch } from './schemas.js';

function refusal(f: () => unknown): { field?: string; message: string } {
  try { f(); } catch (e) { if (e instanceof DomainError && e.code === 'validation') return { field: e.field, message: e.message }; throw e; }
  throw new Error('accepted');
}

describe('register-book schemas', () => {
  it('a PATCH keeps what it leaves out', () => {
    expect(parse(bookPatch, { closeDate: '31/12/2026' })).toEqual({ closeDate: '31/12/2026' });
    expect(refusal(() => parse(bookPatch, { startNumber: [5] })).field).toBe('startNumber');
  });
});
