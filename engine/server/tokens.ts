/** API token management (admin only): create (the secret is shown once), list, revoke. */
import { API_ROLES, createApiToken } from './auth';
import type { ApiContext } from './context';
import { z } from './openapi';
import { notFound } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { apiTokenSchema, idSchema } from './schemas';

export const tokenNameSchema = z.string().regex(/^[\w .@-]{1,100}$/, 'letters, digits, " ", ".", "@", "-", "_" (1 to 100)');

export function tokenRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/tokens',
      access: 'admin',
      operationId: 'createToken',
      summary: 'Create an API token; its secret is in this response only',
      tags: ['tokens'],
      body: z.strictObject({ name: tokenNameSchema, role: z.enum(API_ROLES) }),
      responses: { 201: { description: 'The token', schema: z.object({ token: apiTokenSchema, secret: z.string().openapi({ description: 'Send as "Authorization: Bearer <secret>"' }) }) } },
      handler: async ({ body }) => {
        const { record, token } = await createApiToken(ctx.metadata, body);
        return { status: 201, body: { token: record, secret: token } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      access: 'admin',
      operationId: 'listTokens',
      summary: 'API tokens (never their secrets)',
      tags: ['tokens'],
      responses: { 200: { description: 'Tokens, oldest first', schema: z.object({ tokens: z.array(apiTokenSchema) }) } },
      handler: async () => ({ body: { tokens: await ctx.metadata.listApiTokens() } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tokens/:tokenId',
      access: 'admin',
      operationId: 'revokeToken',
      summary: 'Revoke an API token',
      tags: ['tokens'],
      params: z.strictObject({ tokenId: idSchema }),
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params }) => {
        if (!(await ctx.metadata.revokeApiToken(params.tokenId))) {
          throw notFound(`no active API token with id "${params.tokenId}" (GET /api/tokens lists them)`, '/params/tokenId');
        }
        return { status: 204 };
      },
    }),
  ];
}
