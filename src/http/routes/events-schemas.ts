import { Type } from 'typebox';

/** Schemas the events routes share. */
export const Delivery = Type.Union(
  [
    Type.Object({ webhook: Type.String({ maxLength: 2000, description: 'http(s) URL; deliveries are POSTed to it, Standard Webhooks signed' }) }, { additionalProperties: false }),
    Type.Object({ pull: Type.Literal(true) }, { additionalProperties: false }),
  ],
  { description: '{webhook: url} or {pull: true}' },
);

export const Filter = Type.Union([Type.Record(Type.String({ maxLength: 200 }), Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean(), Type.Null()])), Type.Null()], {
  description: 'field path → value; an event is delivered only if every field equals its value',
});
