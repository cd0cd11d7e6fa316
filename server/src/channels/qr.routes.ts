import { idParam, route, type AnyRoute, type MemberContext } from '../http/route';
import type { CustomerService } from '../modules/customers';
import type { OrgService } from '../modules/org';
import { PAGES, weappPage } from '@anchor/shared';
import type { QrCodes } from './qr-codes';

function sendPng(ctx: MemberContext, png: { bytes: Buffer; kind: string; contentType: string }, h5Url: string) {
  ctx.set('Content-Type', png.contentType);
  ctx.set('X-Code-Kind', png.kind);
  ctx.set('X-H5-Url', encodeURI(h5Url));
  ctx.set('Cache-Control', 'private, max-age=300');
  ctx.body = png.bytes;
}

export function qrRoutes(qr: QrCodes, org: OrgService, customers: CustomerService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/invites/:code/qr.png', tag: '组织', summary: '团队或个人邀请的二维码（有微信凭证时为小程序码）', can: 'org.invites.manage',
      handler: async (ctx) => {
        const code = String((ctx as unknown as { params: Record<string, string> }).params.code ?? '');
        const invite = await org.inviteInReach(ctx.state.member, code);
        const target = { page: PAGES.login.path, scene: `i=${invite.code}`, h5Path: weappPage('login', { invite: invite.code }) };
        sendPng(ctx, await qr.png(target), qr.h5Url(target));
      },
    }),
    route({
      method: 'get', path: '/customers/:id/qr.png', tag: '客户', summary: '客户二维码：扫码直接打开该客户的拜访表单（贴在前台、门店）', can: 'customers.read',
      handler: async (ctx) => {
        const customer = await customers.get(ctx.state.member, idParam(ctx, 'id', '客户'));
        const target = { page: PAGES.visitNew.path, scene: `c=${customer.id}`, h5Path: weappPage('visitNew', { customerId: customer.id }) };
        sendPng(ctx, await qr.png(target), qr.h5Url(target));
      },
    }),
  ];
}
