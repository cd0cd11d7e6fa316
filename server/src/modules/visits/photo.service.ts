import type { Sql } from '../../db/sql';
import type { AttachmentService, Download } from '../attachments';
import type { CustomerService } from '../customers';
import type { Member } from '../org';

/**
 * Visit and first-touch photos: attachments of purpose `photo`, owned by a `visit` or a `first_touch`.
 * Who may see one: its uploader until it is attached, then whoever's scope covers its customer.
 */
export class PhotoService {
  constructor(
    private readonly attachments: AttachmentService,
    customers: CustomerService,
  ) {
    const customerInScope = async (caller: Member, attachment: { customerId: number | null }) =>
      attachment.customerId !== null &&
      (await customers.findInScope(caller, attachment.customerId).then(
        () => true,
        () => false,
      ));
    attachments.registerOwner('visit', customerInScope);
    attachments.registerOwner('first_touch', customerInScope);
    // evidence of an agreed action marked done (标记完成), owned by the visit's action
    attachments.registerOwner('visit_action', customerInScope);
  }

  get maxBytes(): number {
    return this.attachments.maxBytes('photo');
  }

  async upload(caller: Member, bytes: Buffer): Promise<{ id: number; mimeType: string; bytes: number }> {
    const stored = await this.attachments.upload(caller, 'photo', bytes);
    return { id: stored.id, mimeType: stored.contentType, bytes: stored.size };
  }

  /** Photos uploaded for a form that was never submitted go after `uploads.unattachedPhotoHours` (the attachments module’s one sweep does the same for every purpose). */
  sweepUnattached(limit = 500): Promise<number> {
    return this.attachments.sweepUnattached('photo', limit);
  }

  /** Attaches the caller's own, still unattached photos to a record; any other id is refused. */
  async attach(sql: Sql, caller: Member, ids: number[], target: { visitId?: number; firstTouchId?: number; customerId: number }, field: string): Promise<void> {
    const owner = target.visitId !== undefined ? { kind: 'visit', id: target.visitId } : { kind: 'first_touch', id: target.firstTouchId! };
    await this.attachments.attach(sql, caller, 'photo', ids, { ...owner, customerId: target.customerId }, field);
  }

  /** Evidence photos of a visit's agreed action marked done: the caller's own, still unattached. */
  async attachEvidence(sql: Sql, caller: Member, ids: number[], target: { visitId: number; customerId: number }, field: string): Promise<void> {
    await this.attachments.attach(sql, caller, 'photo', ids, { kind: 'visit_action', id: target.visitId, customerId: target.customerId }, field);
  }

  idsOfActions(visitIds: number[]): Promise<Map<number, number[]>> {
    return this.attachments.idsOf('visit_action', visitIds, 'photo');
  }

  /** A photo's bytes (or a range of them), only for those who may see it. */
  download(caller: Member, id: number, range: string | undefined): Promise<Download> {
    return this.attachments.download(caller, id, { purpose: 'photo', what: '照片', range });
  }

  idsOfVisits(visitIds: number[]): Promise<Map<number, number[]>> {
    return this.attachments.idsOf('visit', visitIds, 'photo');
  }

  idsOfFirstTouches(touchIds: number[]): Promise<Map<number, number[]>> {
    return this.attachments.idsOf('first_touch', touchIds, 'photo');
  }
}
