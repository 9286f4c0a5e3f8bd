import type { DemoService } from './federation.js';

/** Each demo service describes itself in OpenAPI 3.1, as a real provider would. */
export function openapiFor(serviceId: string, service: DemoService): Record<string, unknown> {
  const subjectHeader = {
    name: 'Rabta-Subject',
    in: 'header',
    required: true,
    description: 'CNIC of the person concerned (NNNNN-NNNNNNN-N); Rabta checks the legal basis and records the access in the citizen’s data tracker',
    schema: { type: 'string', pattern: '^\\d{5}-\\d{7}-\\d$' },
  };
  const purposeHeader = { name: 'Rabta-Purpose', in: 'header', required: true, schema: { type: 'string' } };
  const paths: Record<string, unknown> = {};
  if (service.code === 'verify-identity') {
    paths['/citizens/verify'] = {
      get: {
        summary: 'Verify a CNIC holder',
        parameters: [subjectHeader, purposeHeader],
        responses: { 200: { description: 'verification result', content: { 'application/json': { schema: { type: 'object', properties: { valid: { type: 'boolean' }, alive: { type: 'boolean' }, district: { type: 'string' }, province: { type: 'string' } } } } } } },
      },
    };
  } else if (service.code === 'beneficiary-status') {
    paths['/beneficiaries/status'] = {
      get: {
        summary: 'Beneficiary and latest payment status',
        parameters: [subjectHeader, purposeHeader],
        responses: {
          200: { description: 'status', content: { 'application/json': { schema: { type: 'object', properties: { enrolled: { type: 'boolean' }, status: { type: 'string' }, bank: { type: 'string' }, lastPayment: { type: 'object' } } } } } },
          404: { description: 'not a beneficiary', content: { 'application/problem+json': {} } },
        },
      },
    };
  } else {
    const batch = {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['batchId', 'rows'],
            properties: {
              batchId: { type: 'string' },
              quarter: { type: 'string' },
              rows: { type: 'array', maxItems: 5000, items: { type: 'object', required: ['cnic', 'amountPkr'], properties: { cnic: { type: 'string' }, amountPkr: { type: 'integer' }, district: { type: 'string' } } } },
            },
          },
        },
      },
    };
    const verdict = { description: 'per-row results: rows, accepted, rejected[{row, errors}]' };
    paths['/batches/validate'] = { post: { summary: 'Validate a payment batch row by row', parameters: [purposeHeader], requestBody: batch, responses: { 200: verdict, 422: verdict } } };
    paths['/batches'] = {
      post: {
        summary: 'Submit a payment batch to credit: all rows or none',
        parameters: [purposeHeader],
        requestBody: batch,
        responses: { 202: { description: 'accepted; each credit is published as PK/BANK/HBL/disbursement/payment.credited' }, 422: verdict },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: service.title, version: '1.0.0', description: `${service.description} Reached through Rabta as ${serviceId}.` },
    paths,
  };
}
