/** API token management (admin only): create (the secret is shown once), list, revoke. */
import { createApiToken } from './auth';
import type { ApiContext } from './context';
import { notFound } from './problem';
import { implement, type ApiRoute } from './routing';

export function tokenRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('createToken', {
      handler: async ({ body }) => {
        const { record, token } = await createApiToken(ctx.metadata, body);
        return { status: 201, body: { token: record, secret: token } };
      },
    }),
    implement('listTokens', {
      handler: async () => ({ body: { tokens: await ctx.metadata.listApiTokens() } }),
    }),
    implement('revokeToken', {
      handler: async ({ params }) => {
        if (!(await ctx.metadata.revokeApiToken(params.tokenId))) {
          throw notFound(`no active API token with id "${params.tokenId}" (GET /api/tokens lists them)`, '/params/tokenId');
        }
        return { status: 204 };
      },
    }),
  ];
}
