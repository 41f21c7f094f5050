import {
  InvalidTokenError,
  type RefusalReason,
  RevocationList,
  type RevocationListOptions,
  RevocationUnavailableError,
  SILENT_LOGGER,
} from '@authpair/verifier';
import { eventually } from '../../support/http';

const logger = SILENT_LOGGER;
const options: RevocationListOptions = {
  url: 'http://auth.test/internal/revocations',
  token: 'secret',
  pollIntervalMs: 1000,
  maxLagMs: 5000,
  timeoutMs: 1000,
  failClosed: true,
  retentionMs: 60_000,
};

type Page = {
  revocations: { sid: string; revoked_at: string; reason: string }[];
  cursor: string;
  has_more: boolean;
};

/** A feed whose pages the test scripts; records the URLs it was asked for. */
function scriptedFeed(pages: (Page | Response)[]) {
  const urls: string[] = [];
  const fetchImpl = (async (url: string | URL | Request) => {
    urls.push(String(url));
    const next = pages.shift() ?? { revocations: [], cursor: 'end', has_more: false };
    return next instanceof Response ? next : Response.json(next);
  }) as typeof fetch;
  return { fetchImpl, urls };
}

function listWith(pages: (Page | Response)[], overrides: Partial<RevocationListOptions> = {}) {
  const feed = scriptedFeed(pages);
  const refused: RefusalReason[] = [];
  let failures = 0;
  const list = new RevocationList({ ...options, ...overrides }, logger, feed.fetchImpl, {
    readFailed: () => (failures += 1),
    refused: (reason) => refused.push(reason),
  });
  return { list, urls: feed.urls, refused, failures: () => failures };
}

const revoked = (sid: string, at = new Date()) => ({
  sid,
  revoked_at: at.toISOString(),
  reason: 'logout',
});

afterEach(() => jest.useRealTimers());

describe('revocation list', () => {
  it('refuses a token of an ended session and passes the others', async () => {
    const { list, refused } = listWith([
      { revocations: [revoked('s1')], cursor: '7', has_more: false },
    ]);
    expect(await list.poll()).toBe(true);
    expect(() => list.check('s1')).toThrow(InvalidTokenError);
    expect(() => list.check('s2')).not.toThrow();
    expect(refused).toEqual(['session_ended']);
  });

  it('refuses a token without a session: it could never be revoked', () => {
    const { list } = listWith([]);
    expect(() => list.check(undefined)).toThrow('the token is not bound to a session');
  });

  it('follows has_more within one poll, passing each cursor back as since', async () => {
    const { list, urls } = listWith([
      { revocations: [revoked('a')], cursor: '5.x', has_more: true },
      { revocations: [revoked('b')], cursor: '9', has_more: false },
    ]);
    await list.poll();
    await list.poll();
    expect(urls).toEqual([
      'http://auth.test/internal/revocations?limit=5000',
      'http://auth.test/internal/revocations?since=5.x&limit=5000',
      'http://auth.test/internal/revocations?since=9&limit=5000',
    ]);
    expect(list.size).toBe(2);
  });

  it('reads a backlog of more than one poll on at once, not a poll interval later', async () => {
    // 20 pages per poll, then a 21st: a burst (a logout everywhere over 100k sessions) must
    // arrive within maxLagMs, not one group of pages per poll interval.
    const pages = Array.from({ length: 21 }, (_, index) => ({
      revocations: [revoked(`s${index}`)],
      cursor: String(index + 1),
      has_more: index < 20,
    }));
    const { list, urls } = listWith(pages, { pollIntervalMs: 60_000 });
    await list.start();
    try {
      expect(urls).toHaveLength(20); // the first poll stopped with a backlog
      await eventually(
        () => list.size,
        (size) => size === 21,
        { timeoutMs: 2000 },
      );
      expect(urls).toHaveLength(21);
      expect(urls.at(-1)).toBe('http://auth.test/internal/revocations?since=20&limit=5000');
    } finally {
      list.stop();
    }
  });

  it('fails closed before the first read and once the last read is older than the bound', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { list, failures } = listWith([
      { revocations: [], cursor: '1', has_more: false },
      new Response('down', { status: 503 }),
      new Response('<html>', { status: 200 }),
    ]);
    expect(() => list.check('s')).toThrow(RevocationUnavailableError);
    await list.poll();
    expect(() => list.check('s')).not.toThrow();
    jest.setSystemTime(4000);
    expect(await list.poll()).toBe(false);
    expect(await list.poll()).toBe(false);
    expect(failures()).toBe(2);
    expect(() => list.check('s')).not.toThrow();
    jest.setSystemTime(5001);
    expect(() => list.check('s')).toThrow(RevocationUnavailableError);
    expect(list.snapshot()).toMatchObject({ status: 'lagging', lagMs: 5001 });
  });

  it('accepts tokens past the bound when failing open, still refusing known ended sessions', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { list } = listWith(
      [{ revocations: [revoked('gone', new Date(0))], cursor: '1', has_more: false }],
      {
        failClosed: false,
      },
    );
    expect(() => list.check('s')).not.toThrow();
    await list.poll();
    jest.setSystemTime(59_000);
    expect(() => list.check('s')).not.toThrow();
    expect(() => list.check('gone')).toThrow(InvalidTokenError);
  });

  it('forgets a session once its tokens can no longer pass verification anyway', async () => {
    jest.useFakeTimers({ now: 100_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { list } = listWith([
      {
        revocations: [revoked('old', new Date(30_000)), revoked('recent', new Date(99_000))],
        cursor: '1',
        has_more: false,
      },
    ]);
    await list.poll();
    expect(list.size).toBe(1);
    jest.setSystemTime(159_001);
    await list.poll();
    expect(list.size).toBe(0);
  });

  it('reads from the start again when the feed refuses its cursor, instead of failing closed for good', async () => {
    // A cursor this feed does not know (another auth version or database behind the URL):
    // the feed answers 400 to it, as services/auth does, for as long as it is sent.
    const { list, urls } = listWith([
      { revocations: [], cursor: 'from-another-feed', has_more: false },
      Response.json({ code: 'validation_failed' }, { status: 400 }),
      { revocations: [revoked('s1')], cursor: '12', has_more: false },
    ]);
    expect(await list.poll()).toBe(true);
    expect(await list.poll()).toBe(false);
    expect(await list.poll()).toBe(true);
    expect(urls).toEqual([
      'http://auth.test/internal/revocations?limit=5000',
      'http://auth.test/internal/revocations?since=from-another-feed&limit=5000',
      'http://auth.test/internal/revocations?limit=5000',
    ]);
    expect(() => list.check('s1')).toThrow(InvalidTokenError);
  });

  it('refuses a feed page of the wrong shape', async () => {
    const { list } = listWith([Response.json({ revocations: 'all', cursor: 1 })]);
    expect(await list.poll()).toBe(false);
    expect(list.snapshot()).toMatchObject({
      status: 'never_read',
      lastError: 'revocation feed page has the wrong shape',
    });
  });

  it('stops reading a feed page past 2 MiB as it streams in, instead of buffering it whole', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20); // JSON whitespace
    const sent = { bytes: 0, cancelled: false };
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (sent.bytes >= 64 * 1024 * 1024) return controller.close();
          sent.bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          sent.cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const { list } = listWith([new Response(endless)]);
    expect(await list.poll()).toBe(false);
    expect(list.snapshot().lastError).toBe('revocation feed page is too large');
    expect(sent.bytes).toBeLessThanOrEqual(2 * 1024 * 1024 + 2 * chunk.byteLength);
    expect(sent.cancelled).toBe(true);
  });

  it('refuses a feed page whose declared length is over 2 MiB without reading it', async () => {
    const { list } = listWith([
      new Response('{"revocations":[],"cursor":"1","has_more":false}', {
        headers: { 'content-length': String(10 * 1024 * 1024) },
      }),
    ]);
    expect(await list.poll()).toBe(false);
    expect(list.snapshot().lastError).toBe('revocation feed page is too large');
  });
});
