// JSON Schema (the OpenAPI 3.1 dialect) from the valibot schemas of shared/schema, for the
// subset those schemas use; anything else fails loudly so the document never lies.
import type { GenericSchema } from 'valibot';

export type JsonSchema = Record<string, unknown>;

interface Node {
  type: string;
  pipe?: readonly { kind: string; type: string; requirement?: unknown }[];
  entries?: Record<string, Node>;
  wrapped?: Node;
  item?: Node;
  options?: readonly unknown[];
  literal?: unknown;
  default?: unknown;
}

const STRING_FORMATS: Record<string, string> = { email: 'email', iso_timestamp: 'date-time' };

function withPipe(base: JsonSchema, node: Node): JsonSchema {
  const schema = { ...base };
  for (const action of node.pipe?.slice(1) ?? []) {
    if (action.kind === 'transformation') continue;
    if (action.type === 'min_length') schema.minLength = action.requirement;
    else if (action.type === 'max_length') schema.maxLength = action.requirement;
    else if (action.type === 'regex') schema.pattern = (action.requirement as RegExp).source;
    else if (STRING_FORMATS[action.type]) schema.format = STRING_FORMATS[action.type];
    else throw new Error(`No JSON Schema for the valibot action ${action.type}`);
  }
  return schema;
}

function convert(node: Node): JsonSchema {
  switch (node.type) {
    case 'string':
      return withPipe({ type: 'string' }, node);
    case 'number':
      return withPipe({ type: 'number' }, node);
    case 'boolean':
      return { type: 'boolean' };
    case 'literal':
      return { const: node.literal };
    case 'picklist':
      return { enum: [...(node.options ?? [])] };
    case 'array':
      return { type: 'array', items: convert(node.item!) };
    case 'nullable':
      return { anyOf: [convert(node.wrapped!), { type: 'null' }] };
    case 'object': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [key, entry] of Object.entries(node.entries ?? {})) {
        if (entry.type === 'optional') {
          properties[key] = convert(entry.wrapped!);
          if (entry.default !== undefined && typeof entry.default !== 'function') properties[key].default = entry.default;
        } else {
          properties[key] = convert(entry);
          required.push(key);
        }
      }
      return { type: 'object', properties, ...(required.length ? { required } : {}) };
    }
    default:
      throw new Error(`No JSON Schema for the valibot schema ${node.type}`);
  }
}

export function toJsonSchema(schema: GenericSchema): JsonSchema {
  return convert(schema as unknown as Node);
}
