/**
 * One JSON Schema validator for the SDK v1 Clients the tests create. A Client otherwise builds its
 * own Ajv and compiles the tools' output schemas afresh after every tools/list; across the
 * harnesses of a run that was about 3 s of CPU. A schema compiled once validates the same for
 * every client, so compiled validators are kept by the schema's text.
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';

const ajv = new AjvJsonSchemaValidator();
const compiled = new Map<string, JsonSchemaValidator<unknown>>();

export const sharedSchemaValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let validator = compiled.get(key);
    if (!validator) compiled.set(key, (validator = ajv.getValidator(schema)));
    return validator as JsonSchemaValidator<T>;
  },
};
