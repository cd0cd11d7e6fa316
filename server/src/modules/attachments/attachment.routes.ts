import { z } from 'zod';
import { labelled } from '@anchor/shared';
import { uploadedFile } from '../../http/upload';
import { idParam, route, type AnyRoute } from '../../http/route';
import { answerDownload } from './attachment.http';
import type { AttachmentService } from './attachment.service';

/**
 * The general download of any attachment, within scope. Uploads go through the owning module's route
 * (POST /photos; the materials module's own), which names its right in the permission matrix.
 */
export function attachmentRoutes(attachments: AttachmentService): AnyRoute[] {
  return [
    // The general upload, for purposes whose owner is saved later (a material): the purpose decides type,
    // size and right; only `material` is taken here (photos keep POST /photos with its daily quota).
    route({
      method: 'post', path: '/attachments', tag: '附件', summary: '上传附件（purpose=material：PDF、MP4、图片、Word/Excel/PowerPoint，按内容识别）', can: 'materials.manage',
      upload: { what: '资料', maxBytes: attachments.maxBytes('material') }, status: 201,
      query: z.object({ purpose: labelled(z.enum(['material']), '用途') }).strict(),
      handler: async (ctx, { query }) => {
        const stored = await attachments.upload(ctx.state.member, query.purpose, uploadedFile(ctx, '资料'));
        return { id: stored.id, contentType: stored.contentType, size: stored.size };
      },
    }),
    route({
      method: 'get', path: '/attachments/:id', tag: '附件', summary: '下载附件（限可见范围；支持 Range，对象存储中的大文件 302 到临时链接）', access: 'member',
      errors: ['RANGE_NOT_SATISFIABLE'],
      handler: async (ctx) => {
        answerDownload(ctx, await attachments.download(ctx.state.member, idParam(ctx, 'id', '附件'), { what: '附件', range: ctx.get('range') || undefined }));
      },
    }),
  ];
}
