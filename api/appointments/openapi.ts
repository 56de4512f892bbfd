// OpenAPI fragment of the appointment routes (api/appointments/json.ts), spread into api/openapi.ts.
// Callers: a citizen's or business's bearer token (POST /auth/token with a portal account) or a staff token.
const error = { $ref: '#/components/schemas/Error' };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Bad input: a slot that is full, in the past, outside working hours or on a day off; a reschedule without a reason', content: json(error) },
  401: { description: 'Missing or bad token', content: json(error) },
  403: { description: 'Wrong kind of caller (a staff token booking or cancelling, a citizen rescheduling) or wrong agency', content: json(error) },
  404: { description: "Unknown appointment, or another citizen's", content: json(error) },
  409: { description: 'The slot filled up meanwhile; the account already holds as many appointments that day as allowed (APPOINTMENT_LIMITS); the appointment is no longer booked; busy', content: json(error) },
};
const appointment = { $ref: '#/components/schemas/Appointment' };
const ok = { 200: { description: 'The appointment', content: json(appointment) }, ...errors };
const codeParam = { name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: 'CTĐT-20261124-0003' };
const idem = { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Same key, same result: a repeated request acts once.' };
const slotTime = { type: 'string', pattern: '^\\d{2}:\\d{2}$', example: '09:00' };
const day = { type: 'string', format: 'date', example: '2026-11-26' };

export const appointmentOpenApiSchemas = {
  Appointment: {
    type: 'object',
    required: ['code', 'status', 'agencyCode', 'time'],
    properties: {
      code: { type: 'string', pattern: '^CTĐT-\\d{8}-\\d{4}$', example: 'CTĐT-20261124-0003', description: 'CTĐT-yyyyMMdd-NNNN (booking day, counter from 0000)' },
      status: { type: 'string', enum: ['booked', 'processed', 'no_show', 'cancelled'] },
      agencyCode: { type: 'string' }, agencyName: { type: 'string' },
      documentType: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
      time: { type: 'object', description: 'The time as booked', properties: { date: day, slot: slotTime } },
      newTime: { type: 'object', nullable: true, description: 'The current time when the agency rescheduled', properties: { date: day, slot: slotTime } },
      rescheduleReason: { type: 'string', nullable: true },
      dossierCode: { type: 'string', nullable: true, description: 'The dossier that took the appointment over ("Xử lý")' },
      applicant: { type: 'object', properties: { kind: { type: 'string', enum: ['citizen', 'business'] }, fullName: { type: 'string' }, idNumber: { type: 'string' }, phone: { type: 'string', nullable: true }, email: { type: 'string', nullable: true } } },
    },
  },
};

export const appointmentOpenApiPaths = {
  '/appointments/slots': {
    get: {
      summary: "The free slots of an agency's day (any token): full and past slots, and days off, are left out",
      parameters: [
        { name: 'agencyCode', in: 'query', required: true, schema: { type: 'string' }, example: '000.03.25.H51' },
        { name: 'date', in: 'query', required: true, schema: day },
      ],
      responses: {
        200: { description: 'The free slots', content: json({ type: 'object', properties: { agencyCode: { type: 'string' }, date: day, slots: { type: 'array', items: { type: 'object', properties: { slot: slotTime, remaining: { type: 'integer', minimum: 1, description: 'places left' } } } } } }) },
        ...errors,
      },
    },
  },
  '/appointments': {
    get: {
      summary: "Appointments: the agency's (staff token) or the caller's own (citizen token)",
      responses: { 200: { description: '{total, items}', content: json({ type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: appointment } } }) }, ...errors },
    },
    post: {
      summary: 'Book a free slot (citizen or business token only; a staff token gets 403)',
      description: 'Two callers racing for the last place of a slot cannot both get it: the loser gets 409. A reminder SMS goes out the day before.',
      requestBody: { content: json({ type: 'object', required: ['agencyCode', 'documentType', 'date', 'slot'], properties: { agencyCode: { type: 'string' }, documentType: { type: 'string', description: 'a code of GET /document-types' }, date: day, slot: slotTime } }) },
      responses: { 201: { description: 'Booked', content: json(appointment) }, ...errors },
    },
  },
  '/appointments/{code}': {
    get: { summary: "One appointment: the agency's (staff) or the caller's own (citizen; another's is 404)", parameters: [codeParam], responses: ok },
  },
  '/appointments/{code}/reschedule': {
    post: {
      summary: "Move an appointment to another free slot with a reason (creator of the agency); the citizen gets an SMS and a portal notification",
      parameters: [codeParam, idem],
      requestBody: { content: json({ type: 'object', required: ['date', 'slot', 'reason'], properties: { date: { type: 'string', description: 'yyyy-MM-dd or dd/MM/yyyy' }, slot: slotTime, reason: { type: 'string', minLength: 3 } } }) },
      responses: ok,
    },
  },
  '/appointments/{code}/cancel': {
    post: { summary: 'Cancel one\'s own appointment before its time (the citizen who booked it); the place is free again', parameters: [codeParam, idem], responses: ok },
  },
};
