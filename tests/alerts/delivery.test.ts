// Alert delivery against receivers that behave as each chat service documents (tests/alerts/vendors.ts):
// long, Chinese and control-character errors reach every channel readable and within its limits;
// a burst stays under every rate limit (as digests) and loses nothing; a throttle (Retry-After 600,
// DingTalk's ten minutes) is waited out, not counted as failure; hopeless answers fail at once;
// a timeout after DingTalk posted does not post twice; an echoed token leaks nowhere; a hanging
// channel delays no other. Time is the test's clock: nothing here waits for a window to pass.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertWorker } from '../../delivery/alert-worker';
import type { AlertChannel } from '../../lib/alerts/config';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { memoryLogger, waitFor } from '../helpers/ingest';
import { startVendor, type Vendor } from './vendors';

let db: TestDatabase;
let pool: ReturnType<typeof createPool>;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase('alerts_delivery');
  pool = createPool(db.url, 4);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await pool.end();
  await db.drop();
});

/** A clock the test moves. */
function testClock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function vendor(...args: Parameters<typeof startVendor>): Promise<Vendor> {
  const v = await startVendor(...args);
  cleanups.push(() => v.close());
  return v;
}

let runIds = 1000;
async function insertAlert(message: string, taskName = 'moving_grasp'): Promise<string> {
  const id = randomUUID();
  const runId = runIds++;
  const facts = { run: { id: runId, taskId: 1, taskName, strategy: 'unfreeze last 9 (layers 3–11)', status: 'crashed' }, details: {} };
  await db.query(
    `INSERT INTO "Alert" (id, "runId", "runIdentity", rule, live, message, facts) VALUES ($1, $2, $3, 'crashed', true, $4, $5)`,
    [id, runId, `identity-${id}`, message, JSON.stringify(facts)],
  );
  return id;
}

function worker(channels: AlertChannel[], clock: { now: () => number }, extra: Partial<ConstructorParameters<typeof AlertWorker>[0]> = {}) {
  const log = memoryLogger('info');
  const w = new AlertWorker({
    pool,
    channels,
    log: log.logger,
    publicUrl: 'http://gpu-box:3000',
    clock: clock.now,
    timeoutMs: 2_000,
    ...extra,
  });
  cleanups.push(() => w.close());
  return { worker: w, lines: log.lines };
}

interface DeliveryRow {
  alertId: string;
  channel: string;
  status: string;
  attempts: number;
  failures: number;
  throttled: boolean;
  digest: number | null;
  lastError: string | null;
}

async function deliveries(alertIds: string[]): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>(
    `SELECT "alertId", channel, status, attempts, failures, throttled, digest, "lastError" FROM "AlertDelivery" WHERE "alertId" = ANY($1) ORDER BY channel, id`,
    [alertIds],
  );
}

const SHAPE_MISMATCH = `RuntimeError: Error(s) in loading state_dict for SmolVLAPolicy:\n${'\tsize mismatch for model.vlm.text_model.layers.11.mlp.down_proj.weight: copying a param with shape torch.Size([960, 2560]) from checkpoint, the shape in current model is torch.Size([576, 1536]).\n'.repeat(30)}\tEND-OF-ERROR`;
const CHINESE = `训练崩溃：${'显存不足，无法分配张量。'.repeat(125)}最后一行`;
const CONTROL = `\u001b[31mCUDA error\u001b[0m: device-side assert\u0008\u0007\r\n${'\u0001\u0002bad bytes '.repeat(600)}`;
const HOSTILE =
  'ValueError in __init__(self, *args, **kwargs): <!channel> <@U024BE7LH> <http://evil.example|click> & <at user_id="all">所有人</at> [x](http://y)';

describe('every healthy channel gets every alert, readable and within its limits', () => {
  it('long, Chinese, control-character and hostile errors on webhook, Slack, Feishu, DingTalk and WeCom', async () => {
    const clock = testClock();
    const vendors = await Promise.all([
      vendor('webhook', { clock: clock.now, secret: 'hook-secret' }),
      vendor('slack', { clock: clock.now }),
      vendor('feishu', { clock: clock.now, secret: 'fs-secret' }),
      vendor('dingtalk', { clock: clock.now, secret: 'SECding' }),
      vendor('wecom', { clock: clock.now }),
    ]);
    const { worker: w } = worker(
      vendors.map((v) => v.channel(`t1-${v.channel().type}`)),
      clock,
    );
    const ids: string[] = [];
    for (const message of [SHAPE_MISMATCH, CHINESE, CONTROL, HOSTILE]) {
      ids.push(await insertAlert(message));
      clock.advance(2_000);
      await w.drain();
    }
    const rows = await deliveries(ids);
    expect(rows).toHaveLength(20);
    expect(rows.filter((r) => r.status !== 'delivered' || r.attempts !== 1)).toEqual([]);
    for (const v of vendors) {
      // Nothing was refused: every request was posted, one per alert.
      expect(v.received.length).toBe(4);
      expect(v.posted.length).toBe(4);
      v.posted.forEach((post, i) => expect(v.channel().type === 'webhook' ? post.body.id : post.text).toContain(ids[i]));
    }
    const [, slack, feishu, dingtalk, wecom] = vendors;
    // The Chinese error: its start and its end stay, the middle is cut to fit WeCom's 4,096 bytes.
    expect(wecom.posted[1]!.text).toContain('训练崩溃');
    expect(wecom.posted[1]!.text).toContain('最后一行');
    expect(new TextEncoder().encode(wecom.posted[1]!.text).length).toBeLessThanOrEqual(4096);
    expect(wecom.posted[0]!.text).toContain('END-OF-ERROR');
    // Escaping: nothing in an error line notifies anyone or changes the formatting.
    expect(slack.posted[3]!.text).toContain('&lt;!channel&gt;');
    expect(slack.posted[3]!.body.mrkdwn).toBe(false);
    expect(feishu.posted[3]!.text).not.toContain('<at');
    for (const v of [dingtalk, wecom]) {
      expect(v.posted[3]!.text).toContain('\\_\\_init\\_\\_\\(self, \\*args, \\*\\*kwargs\\)');
      expect(v.posted[3]!.text).not.toMatch(/<[@!a]/);
    }
    // Control characters and ANSI colours are gone (WeCom would refuse their \u escapes).
    expect(wecom.posted[2]!.text).toContain('CUDA error');
    expect(wecom.posted[2]!.text).not.toContain('\u001b');
  });
});

describe('rate limits', () => {
  it('a burst of 25 crash alerts reaches every channel as digests, under every budget, nothing lost', async () => {
    const clock = testClock();
    const vendors = await Promise.all([
      vendor('slack', { clock: clock.now }),
      vendor('feishu', { clock: clock.now }),
      vendor('dingtalk', { clock: clock.now, secret: 'SECding' }),
      vendor('wecom', { clock: clock.now }),
    ]);
    const { worker: w } = worker(
      vendors.map((v) => v.channel(`burst-${v.channel().type}`)),
      clock,
    );
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push(await insertAlert(`The run crashed: CUDA error: an illegal memory access was encountered (${i})`));
    for (let step = 0; step < 10; step++) {
      await w.drain();
      clock.advance(1_000);
    }
    const rows = await deliveries(ids);
    expect(rows).toHaveLength(100);
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
    for (const v of vendors) {
      // No request was throttled or refused, and every alert is in a posted message.
      expect(v.received.length).toBe(v.posted.length);
      for (const id of ids) expect(v.posted.some((post) => post.text.includes(id))).toBe(true);
      expect(v.posted.length).toBeLessThanOrEqual(3);
    }
    expect(rows.filter((r) => r.digest !== null).length).toBeGreaterThan(50);
  });

  it("Slack's 429 with Retry-After: 600 is waited out (not a failure), then delivered", async () => {
    const clock = testClock();
    const slack = await vendor('slack', { clock: clock.now, throttledUntil: clock.now() + 600_000, retryAfterSeconds: 600 });
    const { worker: w } = worker([slack.channel('t-slack-429')], clock);
    const id = await insertAlert('The run crashed: NCCL timeout.');
    await w.drain();
    expect(slack.received).toHaveLength(1);
    let [row] = await deliveries([id]);
    expect(row).toMatchObject({ status: 'pending', throttled: true, failures: 0, attempts: 1 });
    expect(row!.lastError).toMatch(/rate limited \(HTTP 429\); waiting 601 s/);
    // Five minutes later it is still throttled: Thaw sends nothing.
    clock.advance(300_000);
    await w.drain();
    expect(slack.received).toHaveLength(1);
    clock.advance(301_500);
    await w.drain();
    [row] = await deliveries([id]);
    expect(row).toMatchObject({ status: 'delivered', throttled: false, failures: 0, attempts: 2 });
    expect(slack.posted).toHaveLength(1);
  });

  it("DingTalk's ten-minute throttle (410100) pauses the channel; what piled up goes after it", async () => {
    const clock = testClock();
    const ding = await vendor('dingtalk', { clock: clock.now, throttledUntil: clock.now() + 10 * 60_000 });
    const { worker: w } = worker([ding.channel('t-ding-410100')], clock);
    const first = await insertAlert('The run crashed: first.');
    await w.drain();
    expect(ding.received).toHaveLength(1);
    const later = [await insertAlert('second'), await insertAlert('third'), await insertAlert('fourth')];
    clock.advance(9 * 60_000);
    await w.drain();
    expect(ding.received).toHaveLength(1);
    clock.advance(60_000 + 5_001);
    await w.drain();
    const rows = await deliveries([first, ...later]);
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(rows.map((r) => r.failures)).toEqual([0, 0, 0, 0]);
    expect(ding.posted).toHaveLength(4);
    expect(ding.received).toHaveLength(5);
  });

  it('two workers on one database share the budget: DingTalk never throttles, each alert posted once', async () => {
    const clock = testClock();
    const ding = await vendor('dingtalk', { clock: clock.now });
    const channel = ding.channel('t-ding-shared');
    const a = worker([channel], clock).worker;
    const b = worker([channel], clock).worker;
    const ids: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 15; i++) ids.push(await insertAlert(`crash ${round}.${i}`));
      await Promise.all([a.drain(), b.drain()]);
      clock.advance(20_000);
    }
    for (let i = 0; i < 5; i++) {
      await Promise.all([a.drain(), b.drain()]);
      clock.advance(61_000);
    }
    expect((await deliveries(ids)).filter((r) => r.status !== 'delivered')).toEqual([]);
    expect(ding.received.length).toBe(ding.posted.length);
    for (const id of ids) expect(ding.posted.filter((post) => post.text.includes(id))).toHaveLength(1);
  });
});

describe('hopeless answers fail at once, with the reason', () => {
  it('a bad DingTalk signature, a revoked Slack webhook, an alert that cannot fit', async () => {
    const clock = testClock();
    const ding = await vendor('dingtalk', { clock: clock.now, secret: 'SECright' });
    const slack = await vendor('slack', { clock: clock.now });
    const wecom = await vendor('wecom', { clock: clock.now });
    const channels = [
      { ...ding.channel('t-ding-badsign'), secret: 'SECwrong' },
      { ...slack.channel('t-slack-revoked'), url: slack.url.replace(slack.token, 'goneGONE0123456789zz') },
      wecom.channel('t-wecom-nofit'),
    ];
    const { worker: w } = worker(channels, clock);
    const fine = await insertAlert('The run crashed.');
    const huge = await insertAlert('x', '很长的任务名'.repeat(1_000));
    for (let i = 0; i < 3; i++) {
      await w.drain();
      clock.advance(60_000);
    }
    const rows = await deliveries([fine, huge]);
    const byChannel = (channel: string, alertId: string) => rows.find((r) => r.channel === channel && r.alertId === alertId)!;
    expect(byChannel('t-ding-badsign', fine)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(byChannel('t-ding-badsign', fine).lastError).toMatch(/310000.*signature was refused.*secret/);
    expect(byChannel('t-slack-revoked', fine)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(byChannel('t-slack-revoked', fine).lastError).toMatch(/no_service.*revoked/);
    expect(byChannel('t-wecom-nofit', fine).status).toBe('delivered');
    expect(byChannel('t-wecom-nofit', huge)).toMatchObject({ status: 'failed', attempts: 0 });
    expect(byChannel('t-wecom-nofit', huge).lastError).toMatch(/does not fit wecom's limit of 4,096 bytes/);
    expect(wecom.received).toHaveLength(1);
  });
});

describe('channels no process has', () => {
  it('a delivery is failed only once no process has sent on its channel for an hour', async () => {
    const clock = testClock();
    const wecom = await vendor('wecom', { clock: clock.now });
    const gone = { ...wecom.channel('t-orphan'), url: 'http://127.0.0.1:1/cgi-bin/webhook/send?key=x' };
    const id = await insertAlert('The run crashed.');
    await worker([gone], clock).worker.fanOut();
    const other = worker([wecom.channel('t-orphan-other')], clock).worker;
    await other.fanOut();
    expect((await deliveries([id])).find((r) => r.channel === 't-orphan')!.status).toBe('pending');
    clock.advance(3_600_001);
    await other.fanOut();
    const row = (await deliveries([id])).find((r) => r.channel === 't-orphan')!;
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/no longer configured/);
  });
});

describe('retries', () => {
  it('DingTalk posted, the answer timed out: the retry carries the same msgUuid and is not posted twice', async () => {
    const clock = testClock();
    const ding = await vendor('dingtalk', { clock: clock.now, postThenHang: (index) => index === 0 });
    const { worker: w } = worker([ding.channel('t-ding-uuid')], clock, { timeoutMs: 500 });
    const id = await insertAlert('The run crashed: once.');
    await w.drain();
    let [row] = await deliveries([id]);
    expect(row).toMatchObject({ status: 'pending', failures: 1 });
    expect(row!.lastError).toMatch(/no answer within 1 s|no answer within 0 s/);
    clock.advance(2_001);
    await w.drain();
    [row] = await deliveries([id]);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(ding.received).toHaveLength(2);
    const uuids = ding.received.map((r) => (JSON.parse(r.body) as { msgUuid: string }).msgUuid);
    expect(uuids[0]).toBe(id);
    expect(uuids[1]).toBe(uuids[0]);
    expect(ding.posted).toHaveLength(1);
  });

  it('a digest whose answer timed out is sent again whole, under the same msgUuid', async () => {
    const clock = testClock();
    const ding = await vendor('dingtalk', { clock: clock.now, postThenHang: (index) => index === 0 });
    const { worker: w } = worker([ding.channel('t-ding-digest-uuid')], clock, { timeoutMs: 500 });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await insertAlert(`The run crashed: burst ${i}.`));
    await w.drain();
    clock.advance(2_001);
    await w.drain();
    expect((await deliveries(ids)).filter((r) => r.status !== 'delivered')).toEqual([]);
    const sent = ding.received.map((r) => JSON.parse(r.body) as { msgUuid: string; markdown: { text: string } });
    // The digest timed out; it went again later with the same key and the same alerts (what did not
    // fit in it went on its own meanwhile): four requests, three messages in the group.
    const again = sent.filter((m) => m.msgUuid === sent[0]!.msgUuid);
    expect(again).toHaveLength(2);
    expect(again[1]!.markdown.text).toBe(again[0]!.markdown.text);
    expect(sent).toHaveLength(4);
    expect(ding.posted).toHaveLength(3);
    for (const id of ids) expect(ding.posted.filter((post) => post.text.includes(id))).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('an error body echoing the URL (token across the 300th character) leaks no part of the token', async () => {
    const clock = testClock();
    let pad = 250;
    const ding = await vendor('dingtalk', {
      clock: clock.now,
      secret: 'SECsigningSecret42',
      override: (request) => ({
        status: 200,
        body: JSON.stringify({
          errcode: 123456,
          errmsg: `${'x'.repeat(pad++)} rejected ${request.path}?${request.query.toString()} secret=SECsigningSecret42`,
        }),
      }),
    });
    const { worker: w, lines } = worker([ding.channel('t-ding-echo')], clock, { maxFailures: 30, backoffMs: 10 });
    const id = await insertAlert('The run crashed.');
    for (let i = 0; i < 20; i++) {
      await w.drain();
      clock.advance(400_000);
    }
    const attempts = await db.query<{ error: string }>(
      `SELECT t.error FROM "AlertAttempt" t JOIN "AlertDelivery" d ON d.id = t."deliveryId" WHERE d."alertId" = $1`,
      [id],
    );
    const [row] = await deliveries([id]);
    expect(attempts.length).toBeGreaterThanOrEqual(15);
    const shown = [row!.lastError ?? '', ...attempts.map((a) => a.error), ...lines.map((line) => JSON.stringify(line))];
    for (const token of [ding.token, 'SECsigningSecret42'])
      for (let i = 0; i + 6 <= token.length; i++) for (const text of shown) expect(text).not.toContain(token.slice(i, i + 6));
    expect(row!.lastError).toContain('[redacted]');
  });
});

describe('errors stored before redact-before-cut', () => {
  it('are redacted again when the worker starts', async () => {
    const clock = testClock();
    const ding = await vendor('dingtalk', { clock: clock.now });
    const id = await insertAlert('The run crashed.');
    await db.query(
      `INSERT INTO "AlertDelivery" ("alertId", channel, status, attempts, "lastError") VALUES ($1, 't-scrub', 'failed', 8, $2)`,
      [id, `${'x'.repeat(280)} access_token=${ding.token.slice(0, 12)}`],
    );
    const { worker: w } = worker([ding.channel('t-scrub')], clock);
    expect(await w.scrubStoredErrors()).toBe(1);
    const [row] = await deliveries([id]);
    expect(row!.lastError).not.toContain(ding.token.slice(0, 6));
    expect(row!.lastError).toContain('[redacted]');
  });
});

describe('independent channels', () => {
  it('a hanging Slack delays neither WeCom nor DingTalk', async () => {
    const slack = await vendor('slack', { override: () => 'hang' });
    const wecom = await vendor('wecom');
    const ding = await vendor('dingtalk');
    const clock = { now: () => Date.now() };
    const { worker: w } = worker([slack.channel('t-hang-slack'), wecom.channel('t-hang-wecom'), ding.channel('t-hang-ding')], clock, {
      timeoutMs: 4_000,
      pollMs: 50,
    });
    const first = await insertAlert('The run crashed: Slack starts hanging on this one.');
    w.start();
    await waitFor(() => slack.received.length === 1, { what: "Slack's request" });
    await waitFor(async () => (await deliveries([first])).filter((r) => r.status === 'delivered').length === 2, {
      what: 'WeCom and DingTalk',
    });
    // A new crash while Slack still hangs on the first: WeCom and DingTalk get it at once.
    const second = await insertAlert('The run crashed: while Slack hangs.');
    await waitFor(async () => (await deliveries([second])).filter((r) => r.status === 'delivered').length === 2, {
      what: 'the second alert',
    });
    expect(slack.hangingNow()).toBe(1);
    expect(slack.received).toHaveLength(1);
    expect((await deliveries([second])).find((r) => r.channel === 't-hang-slack')).toMatchObject({ status: 'pending', attempts: 0 });
    // Slack's own timeout then counts against Slack only.
    await waitFor(async () => (await deliveries([first])).some((r) => r.channel === 't-hang-slack' && r.failures === 1), {
      what: "Slack's timeout",
    });
    expect((await deliveries([first])).find((r) => r.channel === 't-hang-slack')!.lastError).toMatch(/no answer within 4 s/);
    await w.close();
  });
});
