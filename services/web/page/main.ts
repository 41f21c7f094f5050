/**
 * The page: sign in or create an account; signed in, the resource
 * service's greeting, the user's sessions, a password change and logout.
 * One view at a time; focus moves to where the next thing to read is (the
 * welcome heading after signing in, the reason after a sign-out, the first
 * wrong field after a refused form), and results are announced in live
 * regions.
 */
import {
  type AuthpairClientError,
  isClientError,
  type Session,
  type SignOutReason,
} from '@authpair/client';
import type { FieldError, ProtectedResponse } from '@authpair/contracts';
import { createClient } from './cookie-session';
import {
  clearErrors,
  element,
  fieldValue,
  focus,
  show,
  showFieldErrors,
  showFormError,
  whileBusy,
} from './dom';
import { failureText, SIGNED_OUT_BECAUSE } from './messages';
import { renderSessions } from './sessions-view';

const resourceUrl =
  document.querySelector<HTMLMetaElement>('meta[name="authpair-resource-url"]')?.content ?? '';
const auth = createClient(location.origin);
/** Tells this app's other tabs that a sign-in happened, so a signed-out one takes the session up. */
const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('authpair-web') : null;

const ui = {
  main: element('main'),
  loading: element('loading'),
  notice: element('notice'),
  signedOut: element('signed-out'),
  signedIn: element('signed-in'),
  whoami: element('whoami'),
  welcome: element('welcome'),
  greeting: element('greeting'),
  sessionsTitle: element('sessions-title'),
  sessionsStatus: element('sessions-status'),
  sessionsList: element<HTMLUListElement>('sessions-list'),
  passwordStatus: element('password-status'),
  loginForm: element<HTMLFormElement>('login-form'),
  registerForm: element<HTMLFormElement>('register-form'),
  passwordForm: element<HTMLFormElement>('password-form'),
};

let view: 'loading' | 'in' | 'out' = 'loading';

function say(text: string, takeFocus: boolean): void {
  ui.notice.textContent = text;
  show(ui.notice, true);
  if (takeFocus) focus(ui.notice);
}

function enterSignedIn(session: Session): void {
  ui.whoami.textContent = session.user?.username ?? 'an unnamed user';
  element<HTMLInputElement>('password-username').value = session.user?.username ?? '';
  if (view === 'in') return;
  const fromSignIn = view === 'out';
  view = 'in';
  show(ui.notice, false);
  show(ui.signedOut, false);
  show(ui.signedIn, true);
  for (const form of [ui.loginForm, ui.registerForm]) {
    clearErrors(form);
    form.reset();
  }
  if (fromSignIn) focus(ui.welcome);
  void loadGreeting();
  void loadSessions();
}

function enterSignedOut(reason?: SignOutReason): void {
  const fromSignedIn = view === 'in';
  view = 'out';
  show(ui.signedIn, false);
  show(ui.signedOut, true);
  clearErrors(ui.passwordForm);
  ui.passwordForm.reset();
  ui.passwordStatus.textContent = '';
  ui.greeting.textContent = '';
  ui.sessionsList.replaceChildren();
  if (reason !== undefined) say(SIGNED_OUT_BECAUSE[reason], true);
  else if (fromSignedIn) focus(element('signin-title'));
}

auth.onAuthStateChange(({ event, session, reason }) => {
  if (view === 'loading') return; // the start decides the first view
  if (event === 'SIGNED_OUT') {
    if (view === 'in') enterSignedOut(reason ?? 'user');
  } else if (session !== null && event !== 'TOKEN_REFRESHED') {
    enterSignedIn(session);
  }
});

tabs?.addEventListener('message', (event: MessageEvent) => {
  if (event.data === 'signed-in' && view === 'out')
    auth.restore().catch(() => {
      // The sign-in form stays; this tab's own sign-in will work.
    });
});

async function loadGreeting(): Promise<void> {
  ui.greeting.textContent = 'Fetching the message…';
  try {
    const response = await auth.fetch(`${resourceUrl}/protected`);
    if (!response.ok) {
      ui.greeting.textContent = `The resource service answered ${response.status}.`;
      return;
    }
    ui.greeting.textContent = ((await response.json()) as ProtectedResponse).message;
  } catch (error) {
    if (signedOutBy(error)) return; // the sign-out itself says why
    ui.greeting.textContent = failureText(error, 'Fetching the message');
  }
}

async function loadSessions(announce?: string): Promise<void> {
  try {
    const sessions = await auth.listSessions();
    renderSessions(ui.sessionsList, sessions, endSession);
    ui.sessionsStatus.textContent =
      announce ?? `${sessions.length} live session${sessions.length === 1 ? '' : 's'}.`;
  } catch (error) {
    if (signedOutBy(error)) return;
    ui.sessionsStatus.textContent = failureText(error, 'Listing your sessions');
  }
}

function endSession(id: string, button: HTMLButtonElement): void {
  void whileBusy(button, () => auth.endSession(id)).then(
    async () => {
      await loadSessions('Session ended. It can no longer be used.');
      focus(ui.sessionsTitle);
    },
    (error: unknown) => {
      if (signedOutBy(error)) return;
      ui.sessionsStatus.textContent = failureText(error, 'Ending the session');
    },
  );
}

function signedOutBy(error: unknown): boolean {
  return isClientError(error) && (error.code === 'signed_out' || error.code === 'not_signed_in');
}

/** The required fields left empty, as errors to show. */
function missing(form: HTMLFormElement, names: string[]): FieldError[] {
  return names
    .filter((name) => fieldValue(form, name) === '')
    .map((field) => ({ field, reason: 'this field is required' }));
}

/** A refused form: each field's error where the server named one, else one message for the form. */
function refused(form: HTMLFormElement, error: unknown, action: string): void {
  const problem = isClientError(error) ? (error as AuthpairClientError).problem : undefined;
  if (problem?.errors !== undefined && showFieldErrors(form, problem.errors)) return;
  showFormError(form, failureText(error, action));
}

/** Wires a form: required fields checked here first, then `submit`, errors shown in the form. */
function onSubmit(
  form: HTMLFormElement,
  required: string[],
  action: string,
  submit: () => Promise<void>,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const empty = missing(form, required);
    if (empty.length > 0) {
      showFieldErrors(form, empty);
      return;
    }
    void whileBusy(form, submit).catch((error: unknown) => refused(form, error, action));
  });
}

onSubmit(ui.loginForm, ['username', 'password'], 'Signing in', async () => {
  await auth.login({
    username: fieldValue(ui.loginForm, 'username'),
    password: fieldValue(ui.loginForm, 'password'),
  });
  tabs?.postMessage('signed-in');
});

onSubmit(ui.registerForm, ['username', 'password'], 'Creating the account', async () => {
  const created = await auth.register({
    username: fieldValue(ui.registerForm, 'username'),
    password: fieldValue(ui.registerForm, 'password'),
  });
  ui.registerForm.reset();
  const username = element<HTMLInputElement>('login-username');
  username.value = created.username;
  say(`Account created for ${created.username}. Sign in with it below.`, false);
  focus(element('login-password'));
});

onSubmit(
  ui.passwordForm,
  ['current_password', 'new_password'],
  'Changing the password',
  async () => {
    ui.passwordStatus.textContent = '';
    const { sessions_ended } = await auth.changePassword({
      currentPassword: fieldValue(ui.passwordForm, 'current_password'),
      newPassword: fieldValue(ui.passwordForm, 'new_password'),
    });
    ui.passwordForm.reset();
    ui.passwordStatus.textContent = `Password changed. ${sessions_ended} other session${
      sessions_ended === 1 ? ' was' : 's were'
    } signed out.`;
    focus(ui.passwordStatus);
    await loadSessions();
  },
);

element('greeting-reload').addEventListener('click', () => void loadGreeting());
element('sessions-reload').addEventListener('click', () => void loadSessions());

for (const [id, all] of [
  ['logout', false],
  ['logout-all', true],
] as const) {
  const button = element<HTMLButtonElement>(id);
  button.addEventListener('click', () => {
    void whileBusy(button, async () => {
      try {
        await auth.logout(all ? { scope: 'all' } : {});
      } catch (error) {
        if (all) {
          say(failureText(error, 'Logging out everywhere'), true);
          return;
        }
        // Signed out here already; make sure the cookie goes too, even without an access token.
        await fetch('/auth/logout', { method: 'POST' }).catch(() => undefined);
      }
    });
  });
}

/** The start: the session the cookie carries, if any, then the first view. */
async function start(): Promise<void> {
  let session: Session | null = null;
  let failure: unknown;
  try {
    session = await auth.restore();
  } catch (error) {
    failure = error;
  }
  ui.loading.remove();
  ui.main.removeAttribute('aria-busy');
  if (session !== null) {
    enterSignedIn(session);
    return;
  }
  view = 'out';
  show(ui.signedOut, true);
  if (failure !== undefined) say(failureText(failure, 'Resuming your session'), false);
}

void start();
