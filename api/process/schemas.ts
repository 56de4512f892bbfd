// What the process routes accept: the agency code and version in the path, and the screen's form turned into the
// definition's shape (its rules are checked by domain/process.ts checkProcess, for the API and the form alike).
import { z } from 'zod';
import type { Role } from '../../domain/types.js';
import { MAX_REVIEW_STEPS, STEP_ROLES, type ProcessStep } from '../../domain/process.js';
import { object, text } from '../http/schemas.js';

export const processParams = object({ code: text('Mã cơ quan', 30) });
export const versionParams = object({
  code: text('Mã cơ quan', 30),
  version: z.coerce.number({ message: 'Phiên bản phải là số nguyên không âm.' }).int('Phiên bản phải là số nguyên không âm.').min(0, 'Phiên bản phải là số nguyên không âm.').max(1_000_000, 'Phiên bản quá lớn.'),
});

/** The form: the fixed steps keep their roles; review rows 1…MAX_REVIEW_STEPS (a row without a label is left out). */
export function processFromForm(form: Record<string, string>) {
  const reviews: ProcessStep[] = [];
  for (let i = 1; i <= MAX_REVIEW_STEPS; i++) {
    const label = (form[`review${i}Label`] ?? '').trim();
    if (label) reviews.push({ step: 'review', role: (form[`review${i}Role`] ?? 'reviewer') as Role, label });
  }
  return {
    steps: [
      { step: 'submit', role: STEP_ROLES.submit[0] }, ...reviews, { step: 'sign', role: STEP_ROLES.sign[0] },
      { step: 'seal', role: STEP_ROLES.seal[0] }, { step: 'deliver', role: STEP_ROLES.deliver[0] },
    ],
    separationOfDuties: form.separationOfDuties === 'on' || form.separationOfDuties === 'true',
    autoDeliver: form.autoDeliver === 'on' || form.autoDeliver === 'true',
  };
}
