import { idParam, route, type AnyRoute } from '../../http/route';
import { answerDownload } from './attachment.http';
import type { AttachmentService } from './attachment.service';

/**
 * The general download of any attachment, within scope. Uploads go through the owning module's route
 * (POST /photos; the materials module's own), which names its right in the permission matrix.
 */
export function attachmentRoutes(attachments: AttachmentService): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/attachments/:id', tag: '附件', summary: '下载附件（限可见范围；支持 Range，对象存储中的大文件 302 到临时链接）', access: 'member',
      errors: ['RANGE_NOT_SATISFIABLE'],
      handler: async (ctx) => {
        answerDownload(ctx, await attachments.download(ctx.state.member, idParam(ctx, 'id', '附件'), { what: '附件', range: ctx.get('range') || undefined }));
      },
    }),
  ];
}
