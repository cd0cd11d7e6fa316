import { api } from '../../miniprogram/src/api/client';
import { saveSession } from '../../miniprogram/src/api/session';
import { enqueueVisit, flushQueue, readQueue } from '../../miniprogram/src/api/visit-queue';
import { fakeNetwork } from './support/taro';

// The request layer on a 503 (the server's database is away): the message a person reads, and a queued
// visit that stays queued and is tried again by itself after Retry-After, not marked 同步失败.
const member = { id: 7, name: '王小明', phone: '13800000101', role: 'rep' as const, teamId: 1, regionId: 1, managerId: 2 };
const unavailable = { statusCode: 503, header: { 'Retry-After': '1' }, data: { error: { code: 'SERVICE_UNAVAILABLE', message: '服务暂时不可用，请稍后重试' } } };
const visit = { customerId: 7, painPoint: '安装太慢' } as never;
const visitPosts = () => fakeNetwork.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/api/v1/visits'));

beforeEach(() => {
  fakeNetwork.reset();
  saveSession({ token: 'token-1', expiresAt: null, member });
});

it('a 503 from a gateway without a body still reads 服务暂时不可用，请稍后重试, with its Retry-After', async () => {
  fakeNetwork.handler = () => ({ statusCode: 503, header: { 'retry-after': '12' }, data: '<html>Service Unavailable</html>' });
  await expect(api.get('/customers')).rejects.toMatchObject({ status: 503, message: '服务暂时不可用，请稍后重试', retryAfter: 12 });
});

it('a queued visit answered 503 stays queued (not 同步失败) and goes by itself after Retry-After, with its key', async () => {
  enqueueVisit('key-503-visit', visit);
  fakeNetwork.handler = () => unavailable;
  expect(await flushQueue()).toBe(0);
  expect(readQueue()).toEqual([expect.objectContaining({ key: 'key-503-visit' })]);
  expect(readQueue()[0]!.error).toBeUndefined();
  // the database is back: nothing else happens (no tap, no network change), yet it is sent
  fakeNetwork.handler = () => ({ statusCode: 201, data: { id: 1 } });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(readQueue()).toEqual([]);
  expect(visitPosts().map((r) => r.header?.['Idempotency-Key'])).toEqual(['key-503-visit', 'key-503-visit']);
});
