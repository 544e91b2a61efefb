/**
 * The MCP Registry entry (server.json, schema 2025-12-11) and every other place that states the
 * server's name or version agree with package.json: the registry checks that the npm package's
 * mcpName equals server.json's name, and hosts show the version the server reports.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../src/server.js';

const read = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
const pkg = read('package.json');
const server = read('server.json');
const manifest = read('bundle/manifest.json');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface EnvVar {
  name: string;
  description: string;
  isRequired?: boolean;
  isSecret?: boolean;
  format?: string;
}

describe('server.json (MCP Registry)', () => {
  it("follows the registry's 2025-12-11 schema for the required fields", () => {
    expect(server.$schema).toBe('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json');
    // Pattern and lengths as the schema states them.
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.name.length).toBeLessThanOrEqual(200);
    expect(server.description.length).toBeGreaterThan(0);
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.title.length).toBeLessThanOrEqual(100);
    expect(server.repository).toEqual({ url: 'https://github.com/message-trace-mcp/message-trace-mcp', source: 'github' });
  });

  it("names the package by package.json's mcpName, in the io.github namespace of its repository", () => {
    expect(pkg.mcpName).toBe(server.name);
    expect(server.name).toBe('io.github.message-trace-mcp/message-trace-mcp');
    expect(pkg.repository.url).toContain('github.com/message-trace-mcp/message-trace-mcp');
  });

  it('carries the version of package.json, as do the npm package entry, the bundle and the server itself', () => {
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toHaveLength(1);
    expect(server.packages[0]).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } });
    expect(manifest.version).toBe(pkg.version);
    expect(SERVER_VERSION).toBe(pkg.version);
  });

  it('describes each environment variable, marks the secrets, and lists only variables the README documents', () => {
    const vars: EnvVar[] = server.packages[0].environmentVariables;
    for (const v of vars) {
      expect(v.description.length, v.name).toBeGreaterThan(15);
      expect(typeof v.isSecret, v.name).toBe('boolean');
      expect(readme, v.name).toContain(`| \`${v.name}\``);
    }
    const byName = new Map(vars.map((v) => [v.name, v]));
    for (const secret of ['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD']) expect(byName.get(secret)?.isSecret, secret).toBe(true);
    for (const plain of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_CERTIFICATE_PATH']) expect(byName.get(plain)?.isSecret, plain).toBe(false);
    expect(byName.get('AZURE_CLIENT_CERTIFICATE_PATH')?.format).toBe('filepath');
    expect(vars.filter((v) => v.isRequired).map((v) => v.name).sort()).toEqual(['AZURE_CLIENT_ID', 'AZURE_TENANT_ID']);
  });
});
