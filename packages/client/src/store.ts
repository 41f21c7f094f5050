/**
 * The session of one storage key in this tab: what it is, where it is
 * kept, what the other tabs are told, and the events. Every change goes
 * storage first, then the channel, then the local subscribers, so a
 * subscriber (or another tab) that reads storage on an event finds the
 * state the event announces.
 */

import { type Message, messageOf } from './messages';
import { deserialize, type StoredSession, serialize, viewOf } from './session';
import type { StorageAdapter } from './storage';
import { Subscribers } from './subscribers';
import type { AuthChange, AuthChangeCallback, ChannelLike, SignOutReason } from './types';

export interface StoreDeps {
  storage: StorageAdapter;
  key: string;
  channel: ChannelLike | null;
  clock: () => number;
  onError: (error: unknown) => void;
}

export class SessionStore {
  readonly #deps: StoreDeps;
  #current: StoredSession | undefined;
  #epoch = 0;
  #epochAbort = new AbortController();
  #version = 0;
  /** Sessions that ended here: a late message about one of them is ignored. */
  readonly #ended = new Set<string>();
  #lastReason: SignOutReason = 'user';
  readonly #subscribers: Subscribers;
  #closed = false;
  readonly ready: Promise<void>;
  /** Told after every change of the session, to reschedule the refresh. */
  onChange: () => void = () => {};

  constructor(deps: StoreDeps) {
    this.#deps = deps;
    this.#subscribers = new Subscribers(deps.onError);
    deps.channel?.addEventListener('message', (event) => this.#receive(event.data));
    // Storage that cannot be read (blocked by the browser's privacy settings) is no session.
    this.ready = this.#read().then((stored) => {
      if (stored !== undefined && (this.#current?.version ?? -1) < stored.version)
        this.#current = stored;
    }, deps.onError);
  }

  get current(): StoredSession | undefined {
    return this.#current;
  }

  /** Changes whenever the session is replaced by another or ended; a refresh started before is void. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Aborted when the epoch changes: cancels a refresh a logout made pointless. */
  get epochSignal(): AbortSignal {
    return this.#epochAbort.signal;
  }

  get lastSignOutReason(): SignOutReason {
    return this.#lastReason;
  }

  nextVersion(): number {
    this.#version = Math.max(this.#deps.clock(), this.#version + 1);
    return this.#version;
  }

  /**
   * The newest session anyone holds. With shared storage, storage is the
   * truth (another tab may have rotated or signed out); otherwise this
   * tab's state is, which the channel keeps current.
   */
  async latest(): Promise<StoredSession | undefined> {
    if (this.#deps.storage.scope !== 'shared') return this.#current;
    const stored = await this.#read();
    if (stored !== undefined && (this.#current?.version ?? -1) < stored.version) {
      this.#emit(this.#replace(stored));
    } else if (stored === undefined && this.#current !== undefined) {
      this.#emit(this.#end('user', this.#current));
    }
    return this.#current;
  }

  /**
   * A session received from the auth service: kept in memory at once (so a
   * logout racing the write wins), then stored, announced to the other
   * tabs, and only then told to subscribers.
   */
  async save(session: StoredSession): Promise<void> {
    const changes = this.#replace(session);
    await this.#deps.storage.setItem(this.#deps.key, serialize(session));
    if (this.#current !== session) return;
    if (this.#deps.storage.scope !== 'tab') this.#post({ type: 'session', session });
    this.#emit(changes);
  }

  /** Ends the session here and in the other tabs: `all` ends every session of the user. */
  async clear(reason: SignOutReason, all = false): Promise<void> {
    const session = this.#current;
    if (session === undefined) return;
    const changes = this.#end(reason, session);
    await this.#removeStored(session, all);
    this.#post({
      type: 'signed_out',
      sessionId: session.sessionId,
      userId: session.user?.id,
      all,
      reason,
    });
    this.#emit(changes);
  }

  /** Another of the user's sessions was ended from here: a tab holding it signs out now. */
  endedElsewhere(sessionId: string): void {
    this.#post({ type: 'signed_out', sessionId, userId: undefined, all: false, reason: 'user' });
  }

  userUpdated(): void {
    const session = this.#current;
    if (session === undefined) return;
    this.#post({ type: 'user_updated', sessionId: session.sessionId });
    this.#emit([{ event: 'USER_UPDATED', session: viewOf(session) }]);
  }

  /** Subscribes; the callback first gets INITIAL_SESSION once the stored session is read. */
  subscribe(callback: AuthChangeCallback): () => void {
    const unsubscribe = this.#subscribers.add(callback);
    void this.ready.then(() => {
      if (!this.#subscribers.has(callback)) return;
      const session = this.#current;
      const change: AuthChange = {
        event: 'INITIAL_SESSION',
        session: session === undefined ? null : viewOf(session),
      };
      this.#subscribers.deliver(callback, change);
    });
    return unsubscribe;
  }

  /** While the refresh lock is held here, events wait for its release. */
  hold(): void {
    this.#subscribers.hold();
  }

  release(): void {
    this.#subscribers.release();
  }

  /** Drops the subscribers; closes the channel once `idle` settles (a refresh in flight still tells the tabs). */
  dispose(idle: Promise<unknown>): void {
    this.#subscribers.clear();
    void idle.finally(() => {
      this.#closed = true;
      this.#deps.channel?.close();
    });
  }

  /** Sets a newer session; returns what changed, for the subscribers. */
  #replace(next: StoredSession): AuthChange[] {
    const previous = this.#current;
    this.#see(next.version);
    const same = previous !== undefined && previous.sessionId === next.sessionId;
    if (!same) this.#bumpEpoch();
    this.#current = next;
    this.onChange();
    const session = viewOf(next);
    const changes: AuthChange[] = [{ event: same ? 'TOKEN_REFRESHED' : 'SIGNED_IN', session }];
    if (same && (previous.user?.username !== next.user?.username || previous.scope !== next.scope))
      changes.push({ event: 'USER_UPDATED', session });
    return changes;
  }

  #end(reason: SignOutReason, session: StoredSession): AuthChange[] {
    this.#bumpEpoch();
    if (session.sessionId !== undefined) this.#ended.add(session.sessionId);
    this.#lastReason = reason;
    this.#current = undefined;
    this.onChange();
    return [{ event: 'SIGNED_OUT', session: null, reason }];
  }

  #bumpEpoch(): void {
    this.#epoch += 1;
    this.#epochAbort.abort();
    this.#epochAbort = new AbortController();
  }

  #see(version: number): void {
    this.#version = Math.max(this.#version, version);
  }

  async #read(): Promise<StoredSession | undefined> {
    const stored = deserialize(await this.#deps.storage.getItem(this.#deps.key));
    if (stored !== undefined) this.#see(stored.version);
    return stored;
  }

  /**
   * Removes the stored session if it is the one that ended: in shared
   * storage another tab may already have stored a newer sign-in.
   */
  async #removeStored(ended: StoredSession, all: boolean): Promise<void> {
    const { storage, key } = this.#deps;
    if (storage.scope === 'shared') {
      const stored = await this.#read();
      const same =
        stored === undefined ||
        stored.sessionId === ended.sessionId ||
        (all && stored.user?.id === ended.user?.id);
      if (!same) return;
    }
    await storage.removeItem(key);
  }

  #receive(data: unknown): void {
    const message = messageOf(data);
    if (message === undefined) return;
    const current = this.#current;
    if (message.type === 'session') {
      const { session } = message;
      this.#see(session.version);
      if (session.sessionId !== undefined && this.#ended.has(session.sessionId)) return;
      if (current !== undefined && session.version <= current.version) return;
      // A copied session only follows its own family; shared storage follows every sign-in.
      const ours = current !== undefined && current.sessionId === session.sessionId;
      if (!ours && this.#deps.storage.scope !== 'shared') return;
      const changes = this.#replace(session);
      if (this.#deps.storage.scope === 'copied') this.#persist(session);
      this.#emit(changes);
    } else if (message.type === 'user_updated') {
      if (current !== undefined && current.sessionId === message.sessionId)
        this.#emit([{ event: 'USER_UPDATED', session: viewOf(current) }]);
    } else if (
      current !== undefined &&
      (current.sessionId === message.sessionId ||
        (message.all && current.user !== undefined && current.user.id === message.userId))
    ) {
      this.#emit(this.#end(message.reason, current));
      // A refresh another tab saved after this sign-out must not outlive it.
      this.#removeStored(current, message.all).catch(this.#deps.onError);
    }
  }

  #persist(session: StoredSession): void {
    Promise.resolve(this.#deps.storage.setItem(this.#deps.key, serialize(session))).catch(
      this.#deps.onError,
    );
  }

  #post(message: Message): void {
    if (this.#closed) return;
    try {
      this.#deps.channel?.postMessage(message);
    } catch (error) {
      this.#deps.onError(error);
    }
  }

  #emit(changes: readonly AuthChange[]): void {
    this.#subscribers.emit(changes);
  }
}
