import type { MessagePlanner } from '../module';

/**
 * A support pack pushed on a grade change tells the customer's owner, once per push (the push row and this
 * message are written together, in the grade change's transaction): a WeCom app text naming the customer
 * and each material, with links into the app (the material opened for that customer, and the customer page).
 */
export const gradingMessages: Record<string, MessagePlanner> = {
  'grading.pack_pushed': async (sql, { payload }, kit) => {
    const owner = await kit.member(sql, payload.ownerId);
    if (!owner?.wecomUserId || !kit.agentid) return [];
    const customerId = Number(payload.customerId);
    const materials = Array.isArray(payload.materials) ? (payload.materials as Array<{ id: number; title: string }>) : [];
    const lines = materials.map((m, i) => `${i + 1}. 《${m.title}》 ${kit.link('material', { id: m.id, customerId })}`);
    const text = [
      `【支持包】${String(payload.customerName ?? '')} 已升为 ${String(payload.grade ?? '')} 客户，为您推送最新支持包（${materials.length} 份素材）：`,
      ...lines,
      `客户页：${kit.link('customer', { id: customerId })}`,
    ].join('\n');
    return [kit.wecomText(owner.wecomUserId, kit.agentid, text)];
  },
};
