import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test/memory-ports.ts';
import { OPERATIONS } from './document.ts';

describe('OpenAPI document', () => {
  it('describes exactly the API routes the app serves', async () => {
    const { app } = await createTestApp();
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL' && !r.path.includes('*'))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`),
    );
    const documented = new Set(Object.entries(OPERATIONS).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`)));
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it('is served at /api/v1/openapi.json with the request schemas of the routes', async () => {
    const { app } = await createTestApp();
    const response = await app.request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const doc = await response.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9-test');
    expect(doc.components.schemas.LoginRequest).toEqual({
      type: 'object',
      properties: {
        email: { type: 'string', maxLength: 254 },
        password: { type: 'string', maxLength: 1024 },
        totp: { type: 'string', maxLength: 16 },
      },
      required: ['email', 'password'],
    });
    expect(doc.components.schemas.InvitationRequest.properties.role).toEqual({ enum: ['owner', 'admin', 'member', 'viewer'] });
    expect(doc.components.schemas.InvitationRequest.properties.email).toMatchObject({ type: 'string', format: 'email', maxLength: 254 });
    expect(doc.components.schemas.ProjectCreate.properties.folder.default).toBe('');
    expect(doc.paths['/api/v1/projects/{id}/files'].post.requestBody.content).toHaveProperty('application/octet-stream');
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });
});
