import { z } from 'zod';
import { labelled } from '@anchor/shared';
import { idParam, route, type AnyRoute } from '../../http/route';
import { uploadedFile } from '../../http/upload';
import { answerDownload } from './attachment.http';
import { PURPOSE_NAMES, PURPOSES } from './attachment.purposes';
import type { AttachmentService } from './attachment.service';

/**
 * The general upload and download of any purpose. A module's own routes (e.g. /photos) may front one
 * purpose with its own URL; both end in the same service, checks and answers.
 */
export function attachmentRoutes(attachments: AttachmentService): AnyRoute[] {
  return [
    route({
      method: 'post', path: '/attachments', tag: '附件',
      summary: `上传附件（用途 purpose：${PURPOSE_NAMES.map((p) => `${p} ${PURPOSES[p].label}`).join('，')}；类型按内容识别）`,
      access: 'member', query: z.object({ purpose: labelled(z.enum(PURPOSE_NAMES), '用途') }).strict(),
      upload: { what: '附件', maxBytes: attachments.largestMaxBytes }, status: 201,
      handler: (ctx, { query }) => attachments.upload(ctx.state.member, query.purpose, uploadedFile(ctx, PURPOSES[query.purpose].label)),
    }),
    route({
      method: 'get', path: '/attachments/:id', tag: '附件', summary: '下载附件（限可见范围；支持 Range，对象存储中的大文件 302 到临时链接）', access: 'member',
      handler: async (ctx) => {
        answerDownload(ctx, await attachments.download(ctx.state.member, idParam(ctx, 'id', '附件'), { what: '附件', range: ctx.get('range') || undefined }));
      },
    }),
  ];
}
