// The activity wrapper's classification, on real PostgreSQL errors: data that no retry can cure (a NUL byte, a
// number beyond int4) becomes a final 'validation' refusal, so no workflow retries it for ever and no dossier
// stays busy; a lost connection stays retryable.
import { ApplicationFailure } from '@temporalio/activity';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DomainError } from '../domain/errors.js';
import { classify } from './index.js';

let client: pg.Client;
beforeAll(async () => { client = new pg.Client({ connectionString: inject('pgAdminUrl') }); await client.connect(); });
afterAll(async () => { await client?.end(); });

const failure = async (text: string, values: unknown[] = []) => client.query(text, values).then(() => null, (e: unknown) => e);

describe('classify', () => {
  it('turns a NUL byte and an out-of-range number from PostgreSQL into non-retryable validation refusals', async () => {
    for (const [e, words] of [
      [await failure('select $1::text as t', ['a\u0000b']), /ký tự không hợp lệ/],
      [await failure('select $1::int4 as n', ['2147483648']), /vượt quá giới hạn/],
    ] as const) {
      expect(e, 'PostgreSQL refused it').toBeTruthy();
      const c = classify(e);
      expect(c).toBeInstanceOf(ApplicationFailure);
      expect((c as ApplicationFailure).type).toBe('validation');
      expect((c as ApplicationFailure).nonRetryable).toBe(true);
      expect((c as ApplicationFailure).message).toMatch(words);
    }
  });

  it('keeps our own refusals final with their code, and leaves anything else to the retry policy', async () => {
    const refused = classify(new DomainError('not_found', 'Không tìm thấy sổ chứng thực.')) as ApplicationFailure;
    expect(refused.type).toBe('not_found');
    expect(refused.nonRetryable).toBe(true);
    const lost = await new pg.Client({ connectionString: 'postgres://postgres:postgres@127.0.0.1:1/postgres' }).connect().then(() => null, (e: unknown) => e);
    expect(lost).toBeTruthy();
    expect(classify(lost)).toBe(lost); // a connection refused: retried by Temporal, not refused
  });
});
