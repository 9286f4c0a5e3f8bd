import { Type } from 'typebox';

/** Schemas shared by several route files. */
export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri', description: 'https://rabta.pk/problems/{code}; every code is documented at GET /problems/{code} on this instance (all of them: GET /problems)' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true, $id: 'Problem', description: 'RFC 9457 problem details', externalDocs: { description: 'Every problem type: when it happens, what to do', url: '/problems' } },
);

export const problemResponses = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  404: Type.Ref('Problem'),
  409: Type.Ref('Problem'),
};

export const Code = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', maxLength: 64 });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Id = Type.String({ minLength: 5, maxLength: 400 });
export const bearer = [{ bearerAuth: [] }];
