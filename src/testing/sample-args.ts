import { isRecord } from '../shared/http.js';

/** Values a reader recognises for common property names, so demo tool calls look plausible. */
const SAMPLES_BY_NAME: ReadonlyArray<[RegExp, string]> = [
  [/city|location|place|town/i, 'Paris'],
  [/country/i, 'France'],
  [/e-?mail/i, 'ada@example.com'],
  [/url|link|href/i, 'https://example.com'],
  [/date/i, '2025-01-15'],
  [/time.?zone|tz$/i, 'Europe/Paris'],
  [/time/i, '09:30'],
  [/phone/i, '+1 555 0100'],
  [/currency/i, 'EUR'],
  [/lang/i, 'en'],
  [/color|colour/i, 'blue'],
  [/name/i, 'Ada Lovelace'],
  [/id$/i, 'item-42'],
  [/query|search|question|term|text|message/i, 'pathors chat'],
];

/**
 * A plausible value for a JSON Schema, as a model would write it: `enum` picks the first value,
 * `default` wins when given, objects get their required properties (all of them when the schema
 * lists none as required, and no properties at all when it has none). The schema arrives from a
 * request, so every keyword is checked before use.
 */
export function sampleFromSchema(schema: unknown, propertyName = ''): unknown {
  if (!isRecord(schema)) return propertyName === '' ? {} : sampleString(propertyName);
  if ('default' in schema) return schema['default'];
  if ('const' in schema) return schema['const'];
  const choices = schema['enum'];
  if (Array.isArray(choices) && choices.length > 0) return choices[0] as unknown;

  switch (primaryType(schema)) {
    case 'object':
      return sampleObject(schema);
    case 'array':
      return [sampleFromSchema(schema['items'], singular(propertyName))];
    case 'integer':
      return /count|limit|quantity|qty|number|amount/i.test(propertyName) ? 2 : 3;
    case 'number':
      return /price|amount|total|cost/i.test(propertyName) ? 19.99 : 42;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string':
      return sampleString(propertyName);
    default:
      return propertyName === '' ? {} : sampleString(propertyName);
  }
}

/** A JSON Schema `type` may be a list (`["string", "null"]`); the first non-null one is the one a model fills. */
function primaryType(schema: Record<string, unknown>): string | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const names = type.filter((name): name is string => typeof name === 'string');
    return names.find((name) => name !== 'null') ?? names[0];
  }
  return isRecord(schema['properties']) ? 'object' : undefined;
}

function sampleObject(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required'])
    ? schema['required'].filter((name): name is string => typeof name === 'string')
    : Object.keys(properties);
  const value: Record<string, unknown> = {};
  for (const name of required) value[name] = sampleFromSchema(properties[name], name);
  return value;
}

function sampleString(propertyName: string): string {
  for (const [pattern, sample] of SAMPLES_BY_NAME) if (pattern.test(propertyName)) return sample;
  return 'sample';
}

function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}
