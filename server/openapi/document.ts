// The OpenAPI document of /api/v1, built from the same valibot schemas the routes check.
import * as v from 'valibot';
import { AuditQuery, AuditVerifyResponse, InvitationRequest, InvitationResponse, UserPatch, UserSummary, UsersResponse } from '../../shared/schema/api-admin.ts';
import { AcceptInvitationRequest, ChangePasswordRequest, LoginRequest, MeResponse, SessionsResponse } from '../../shared/schema/api-auth.ts';
import { FileSummary, FileUploadResponse, Project, ProjectCreate, ProjectPatch, ProjectsResponse } from '../../shared/schema/api-projects.ts';
import {
  RecoveryCodesResponse,
  SecondFactorLoginRequest,
  TenantSettings,
  TenantSettingsPatch,
  TotpCode,
  TotpDisableRequest,
  TotpEnrolResponse,
  TotpStatusResponse,
} from '../../shared/schema/api-security.ts';
import {
  OperatorAuditVerifyResponse,
  OperatorPurgeResponse,
  OperatorTenantCreate,
  OperatorTenantCreated,
  OperatorUserCreate,
  OperatorUserCreated,
} from '../../shared/schema/api-operator.ts';
import { ErrorResponse } from '../../shared/schema/error.ts';
import { HealthResponse } from '../../shared/schema/health.ts';
import { toJsonSchema, type JsonSchema } from './json-schema.ts';

const SCHEMAS: Record<string, v.GenericSchema> = {
  ErrorResponse,
  HealthResponse,
  LoginRequest,
  SecondFactorLoginRequest,
  MeResponse,
  AcceptInvitationRequest,
  ChangePasswordRequest,
  SessionsResponse,
  TotpStatusResponse,
  TotpEnrolResponse,
  TotpCode,
  RecoveryCodesResponse,
  TotpDisableRequest,
  TenantSettings,
  TenantSettingsPatch,
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
  OperatorTenantCreate,
  OperatorTenantCreated,
  OperatorUserCreate,
  OperatorUserCreated,
  OperatorPurgeResponse,
  OperatorAuditVerifyResponse,
};

interface Operation {
  readonly summary: string;
  readonly request?: keyof typeof SCHEMAS | 'bytes';
  readonly response?: keyof typeof SCHEMAS | 'bytes' | 'audit';
  readonly status?: number;
  readonly query?: readonly { name: string; required?: boolean; schema: JsonSchema }[];
  readonly public?: boolean;
  /** Authorized by the operator token instead of a session. */
  readonly operator?: boolean;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const auditQuery = toJsonSchema(AuditQuery) as { properties: Record<string, JsonSchema> };

/** Every route under /api/v1, by OpenAPI path and method; a test checks it against the app's routes. */
export const OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/v1/health': { get: { summary: 'Liveness and version', response: 'HealthResponse', public: true } },
  '/api/v1/openapi.json': { get: { summary: 'This document', public: true } },
  '/api/v1/auth/login': {
    post: {
      summary: 'Sign in; sets the session cookie. With a second factor: totp or recoveryCode, else 401 totp_required',
      request: 'SecondFactorLoginRequest',
      response: 'MeResponse',
      public: true,
    },
  },
  '/api/v1/auth/logout': { post: { summary: 'Sign out', status: 204 } },
  '/api/v1/auth/accept': {
    post: { summary: 'Accept an invitation, set the password, sign in', request: 'AcceptInvitationRequest', response: 'MeResponse', status: 201, public: true },
  },
  '/api/v1/me': { get: { summary: 'The signed-in user, role and tenant', response: 'MeResponse' } },
  '/api/v1/me/sessions': { get: { summary: 'My sessions', response: 'SessionsResponse' } },
  '/api/v1/me/sessions/{id}': { delete: { summary: 'Revoke one of my sessions', status: 204 } },
  '/api/v1/me/password': { post: { summary: 'Change my password; ends my other sessions', request: 'ChangePasswordRequest', status: 204 } },
  '/api/v1/me/totp': {
    get: { summary: 'My second factor: enabled, required by the tenant, recovery codes left', response: 'TotpStatusResponse' },
    post: { summary: 'Start setting up an authenticator app: a new secret and its otpauth URL', response: 'TotpEnrolResponse', status: 201 },
  },
  '/api/v1/me/totp/confirm': {
    post: { summary: 'Confirm the set-up with a code; answers the ten recovery codes, once', request: 'TotpCode', response: 'RecoveryCodesResponse' },
  },
  '/api/v1/me/totp/recovery-codes': { post: { summary: 'Replace my recovery codes (needs a current code)', request: 'TotpCode', response: 'RecoveryCodesResponse' } },
  '/api/v1/me/totp/disable': { post: { summary: 'Turn my second factor off (needs my password)', request: 'TotpDisableRequest', status: 204 } },
  '/api/v1/admin/settings': {
    get: { summary: "The tenant's security settings (owner, admin)", response: 'TenantSettings' },
    patch: { summary: 'Require a second factor; limit sign-in and API use to address ranges (owner, admin)', request: 'TenantSettingsPatch', response: 'TenantSettings' },
  },
  '/api/v1/admin/users/{id}/totp': { delete: { summary: "Reset a user's second factor, for a lost device (owner, admin)", status: 204 } },
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
  '/api/v1/operator/tenants': {
    post: { summary: 'Create a tenant and its owner (operator)', request: 'OperatorTenantCreate', response: 'OperatorTenantCreated', status: 201, operator: true },
  },
  '/api/v1/operator/tenants/{id}/cancel': { post: { summary: 'Cancel a tenant: no more sign-ins; erased by purge 90 days later (operator)', status: 204, operator: true } },
  '/api/v1/operator/users': {
    post: { summary: 'Add a user to a tenant (operator)', request: 'OperatorUserCreate', response: 'OperatorUserCreated', status: 201, operator: true },
  },
  '/api/v1/operator/purge': {
    post: { summary: 'Erase tenants cancelled 90 days ago and audit events past retention (operator)', response: 'OperatorPurgeResponse', operator: true },
  },
  '/api/v1/operator/audit/verify': { get: { summary: 'Verify every audit chain (operator)', response: 'OperatorAuditVerifyResponse', operator: true } },
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
        ...(op.operator ? { security: [{ operator: [] }] } : {}),
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
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'sigma_session' },
        // SIGMA_OPERATOR_TOKEN; the operator routes answer 404 where it is not set.
        operator: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }],
    paths,
  };
}
