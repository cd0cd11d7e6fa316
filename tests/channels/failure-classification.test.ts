import { WecomRobotSender, type TargetSecrets } from '../../server/src/channels/senders';
import type { Delivery } from '../../server/src/outbox/delivery.entity';
import { WecomSimulator } from '../simulators/wecom-sim';
import type { Fault } from '../simulators/sim-server';

// What one send to a chat platform became, for each way a network or gateway answers badly. A card
// must never be recorded as sent unless the platform accepted it, and a passing fault must never
// fail it for good: only a refusal the platform means is final.
const KEY = 'classify-robot-key';
const PATH = '/cgi-bin/webhook/send';
let wecom: WecomSimulator;
const sender = () => new WecomRobotSender(() => wecom.url);
const secrets = async (): Promise<TargetSecrets> => ({ wecomRobotKey: KEY, dingtalkRobotToken: null, dingtalkRobotSecret: null });
const delivery = { channel: 'wecom_robot', body: { msgtype: 'text', text: { content: '待确认：分类测试医院' } } } as unknown as Delivery;

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  wecom.addRobot(KEY);
});
afterAll(() => wecom.stop());

it('a send the platform accepts is sent (the control)', async () => {
  expect(await sender().send(delivery, secrets)).toEqual({ kind: 'sent' });
});

const transient: [Fault, string][] = [
  ['json429', '429 with a JSON body lacking errcode (was recorded as sent: the card was lost)'],
  ['html429', "429 with a gateway's HTML page (was failed for good after one attempt)"],
  ['truncated200', '200 whose body was cut mid-way (was failed for good after one attempt)'],
  ['http408', '408 request timeout'],
  ['http425', '425 too early'],
  ['http500', '500'],
];

it.each(transient)('%s is worth another try, not sent and not failed: %s', async (fault) => {
  const before = wecom.server.count(PATH);
  wecom.failNext(PATH, fault);
  const result = await sender().send(delivery, secrets);
  expect(result.kind).toBe('retry');
  expect(wecom.server.count(PATH)).toBe(before + 1);
  // the next try goes through: the message was only delayed
  expect(await sender().send(delivery, secrets)).toEqual({ kind: 'sent' });
});

it('a refusal (403 without errcode) is final but never recorded as sent', async () => {
  wecom.failNext(PATH, 'json403');
  const result = await sender().send(delivery, secrets);
  expect(result).toEqual({ kind: 'failed', reason: expect.stringContaining('HTTP 403') });
});
