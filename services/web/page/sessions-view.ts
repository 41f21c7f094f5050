/** The list of the user's sessions: which is this one, and a button to end each other one. */
import type { SessionView } from '@authpair/contracts';

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Renders `sessions` into `list`; `onEnd` is called with the id of a session to end. */
export function renderSessions(
  list: HTMLUListElement,
  sessions: readonly SessionView[],
  onEnd: (id: string, button: HTMLButtonElement) => void,
): void {
  list.replaceChildren(
    ...sessions.map((session, index) => {
      const item = document.createElement('li');
      const summaryId = `session-${index}-summary`;
      if (session.current) {
        item.setAttribute('aria-current', 'true');
        const badge = document.createElement('p');
        badge.className = 'badge';
        badge.textContent = 'This session (this browser)';
        item.append(badge);
      }
      const device = document.createElement('p');
      device.textContent = session.user_agent ?? 'Unknown browser or program';
      const summary = document.createElement('p');
      summary.id = summaryId;
      summary.textContent =
        `Signed in ${when(session.created_at)}, last active ${when(session.last_used_at)}` +
        (session.client_address === null ? '.' : `, from ${session.client_address}.`);
      item.append(device, summary);
      if (!session.current) {
        const end = document.createElement('button');
        end.type = 'button';
        end.textContent = 'End this session';
        end.setAttribute('aria-describedby', summaryId);
        end.addEventListener('click', () => onEnd(session.id, end));
        item.append(end);
      }
      return item;
    }),
  );
}
