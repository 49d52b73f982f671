// The OpenAPI document of /api/v1, built from the same valibot schemas the routes check.
import * as v from 'valibot';
import { AuditQuery, AuditVerifyResponse, InvitationRequest, InvitationResponse, UserPatch, UserSummary, UsersResponse } from '../../shared/schema/api-admin.ts';
import { AcceptInvitationRequest, ChangePasswordRequest, LoginRequest, MeResponse, SessionsResponse } from '../../shared/schema/api-auth.ts';
import { FileSummary, FileUploadResponse, Project, ProjectCreate, ProjectPatch, ProjectsResponse } from '../../shared/schema/api-projects.ts';
import { ErrorResponse } from '../../shared/schema/error.ts';
import { HealthResponse } from '../../shared/schema/health.ts';
import { toJsonSchema, type JsonSchema } from './json-schema.ts';

const SCHEMAS: Record<string, v.GenericSchema> = {
  ErrorResponse,
  HealthResponse,
  LoginRequest,
  MeResponse,
  AcceptInvitationRequest,
  ChangePasswordRequest,
  SessionsResponse,
  InvitationRequest,
  InvitationResponse,
  UserSummary,
  UsersResponse,
  UserPatch,
  AuditVerifyResponse,
  ProjectCreate,
  ProjectPatch,
  Project,
  ProjectsResponse,
  FileUploadResponse,
  FilesResponse: v.object({ files: v.array(FileSummary) }),
};

interface Operation {
  readonly summary: string;
  readonly request?: keyof typeof SCHEMAS | 'bytes';
  readonly response?: keyof typeof SCHEMAS | 'bytes' | 'audit';
  readonly status?: number;
  readonly query?: readonly { name: string; required?: boolean; schema: JsonSchema }[];
  readonly public?: boolean;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const auditQuery = toJsonSchema(AuditQuery) as { properties: Record<string, JsonSchema> };

/** Every route under /api/v1, by OpenAPI path and method; a test checks it against the app's routes. */
export const OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/v1/health': { get: { summary: 'Liveness and version', response: 'HealthResponse', public: true } },
  '/api/v1/openapi.json': { get: { summary: 'This document', public: true } },
  '/api/v1/auth/login': { post: { summary: 'Sign in; sets the session cookie', request: 'LoginRequest', response: 'MeResponse', public: true } },
  '/api/v1/auth/logout': { post: { summary: 'Sign out', status: 204 } },
  '/api/v1/auth/accept': {
    post: { summary: 'Accept an invitation, set the password, sign in', request: 'AcceptInvitationRequest', response: 'MeResponse', status: 201, public: true },
  },
  '/api/v1/me': { get: { summary: 'The signed-in user, role and tenant', response: 'MeResponse' } },
  '/api/v1/me/sessions': { get: { summary: 'My sessions', response: 'SessionsResponse' } },
  '/api/v1/me/sessions/{id}': { delete: { summary: 'Revoke one of my sessions', status: 204 } },
  '/api/v1/me/password': { post: { summary: 'Change my password; ends my other sessions', request: 'ChangePasswordRequest', status: 204 } },
  '/api/v1/admin/invitations': { post: { summary: 'Invite an email with a role (owner, admin)', request: 'InvitationRequest', response: 'InvitationResponse', status: 201 } },
  '/api/v1/admin/users': { get: { summary: 'Users of the tenant (owner, admin)', response: 'UsersResponse' } },
  '/api/v1/admin/users/{id}': {
    get: { summary: 'One user (owner, admin)', response: 'UserSummary' },
    patch: { summary: 'Change role or disabled (owner, admin)', request: 'UserPatch', response: 'UserSummary' },
  },
  '/api/v1/admin/audit': {
    get: {
      summary: "The tenant's audit log as JSON lines or CSV (owner, admin)",
      response: 'audit',
      query: Object.entries(auditQuery.properties).map(([name, schema]) => ({ name, schema })),
    },
  },
  '/api/v1/admin/audit/verify': { get: { summary: "Verify the tenant's audit hash chain (owner, admin)", response: 'AuditVerifyResponse' } },
  '/api/v1/projects': {
    get: { summary: 'Projects of the tenant', response: 'ProjectsResponse' },
    post: { summary: 'Create a project (member and up)', request: 'ProjectCreate', response: 'Project', status: 201 },
  },
  '/api/v1/projects/{id}': {
    get: { summary: 'One project', response: 'Project' },
    patch: { summary: 'Rename or move a project (member and up)', request: 'ProjectPatch', response: 'Project' },
    delete: { summary: 'Delete a project and its files (member and up)', status: 204 },
  },
  '/api/v1/projects/{id}/files': {
    get: { summary: 'Files of a project', response: 'FilesResponse' },
    post: {
      summary: 'Upload a file: the raw bytes are the body (member and up)',
      request: 'bytes',
      response: 'FileUploadResponse',
      status: 201,
      query: [{ name: 'name', required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } }],
    },
  },
  '/api/v1/files/{id}': {
    get: { summary: 'The bytes of a file, exactly as uploaded', response: 'bytes' },
    delete: { summary: 'Delete a file (member and up)', status: 204 },
  },
};

function contentOf(kind: string): Record<string, unknown> {
  if (kind === 'bytes') return { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };
  if (kind === 'audit') return { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } };
  return { 'application/json': { schema: ref(kind) } };
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(OPERATIONS)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const status = String(op.status ?? 200);
      const parameters = [
        ...(path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : []),
        ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: q.required ?? false, schema: q.schema })),
      ];
      paths[path][method] = {
        summary: op.summary,
        ...(op.public ? { security: [] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(op.request ? { requestBody: { required: true, content: contentOf(op.request) } } : {}),
        responses: {
          [status]: { description: 'Success', ...(op.response ? { content: contentOf(op.response) } : {}) },
          default: { description: 'An error', content: contentOf('ErrorResponse') },
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sigma API', version },
    servers: [{ url: '/' }],
    components: {
      schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, toJsonSchema(schema)])),
      // Over TLS the cookie is named __Host-sigma_session.
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sigma_session' } },
    },
    security: [{ session: [] }],
    paths,
  };
}
