/**
 * The few DOM operations the page needs. Text goes in with `textContent`
 * only, never as HTML: a username or a user agent is shown, never run.
 */
import type { FieldError } from '@authpair/contracts';

export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

export function show(target: HTMLElement, visible: boolean): void {
  target.hidden = !visible;
}

/** Moves focus to `target` (made focusable if needed) and brings it into view. */
export function focus(target: HTMLElement): void {
  if (!target.hasAttribute('tabindex') && !isFocusable(target)) target.tabIndex = -1;
  target.focus();
}

function isFocusable(target: HTMLElement): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLButtonElement;
}

/** The text of a form's field, by its name. */
export function fieldValue(form: HTMLFormElement, name: string): string {
  const field = form.elements.namedItem(name);
  return field instanceof HTMLInputElement ? field.value : '';
}

/** Removes every error shown in `form`: field messages, `aria-invalid`, the form's message. */
export function clearErrors(form: HTMLFormElement): void {
  for (const message of form.querySelectorAll('.field-error')) message.remove();
  for (const input of form.querySelectorAll('input')) {
    input.removeAttribute('aria-invalid');
    const describedBy = (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id !== '' && id !== `${input.id}-error`);
    if (describedBy.length > 0) input.setAttribute('aria-describedby', describedBy.join(' '));
    else input.removeAttribute('aria-describedby');
  }
  const formError = form.querySelector<HTMLElement>('.form-error');
  if (formError !== null) {
    formError.textContent = '';
    formError.hidden = true;
  }
}

/**
 * Shows each field's error under it, linked with `aria-describedby` and
 * marked `aria-invalid`, and moves focus to the first: a screen reader then
 * reads the field's label and what is wrong with it. Errors for fields the
 * form does not have go to the form's message. Returns whether any was shown.
 */
export function showFieldErrors(form: HTMLFormElement, errors: readonly FieldError[]): boolean {
  let first: HTMLInputElement | undefined;
  const elsewhere: string[] = [];
  for (const { field, reason } of errors) {
    const input = form.elements.namedItem(field);
    if (!(input instanceof HTMLInputElement)) {
      elsewhere.push(reason);
      continue;
    }
    const message = document.createElement('p');
    message.className = 'field-error';
    message.id = `${input.id}-error`;
    message.textContent = `${labelOf(input)}: ${reason}`;
    input.insertAdjacentElement('afterend', message);
    input.setAttribute('aria-invalid', 'true');
    const describedBy = input.getAttribute('aria-describedby');
    input.setAttribute(
      'aria-describedby',
      describedBy === null ? message.id : `${describedBy} ${message.id}`,
    );
    first ??= input;
  }
  if (elsewhere.length > 0) showFormError(form, elsewhere.join(' '), first === undefined);
  if (first !== undefined) first.focus();
  return first !== undefined || elsewhere.length > 0;
}

/** The form's own message (role="alert"), focused unless a field takes the focus. */
export function showFormError(form: HTMLFormElement, text: string, takeFocus = true): void {
  const formError = form.querySelector<HTMLElement>('.form-error');
  if (formError === null) return;
  formError.textContent = text;
  formError.hidden = false;
  if (takeFocus) focus(formError);
}

function labelOf(input: HTMLInputElement): string {
  return input.labels?.[0]?.textContent?.trim() ?? input.name;
}

/**
 * Runs `work` with the form's submit button disabled and the form marked
 * busy, so a double press sends nothing twice.
 */
export async function whileBusy<T>(
  target: HTMLFormElement | HTMLButtonElement,
  work: () => Promise<T>,
): Promise<T> {
  const button =
    target instanceof HTMLButtonElement
      ? target
      : target.querySelector<HTMLButtonElement>('button[type="submit"]');
  target.setAttribute('aria-busy', 'true');
  if (button !== null) button.disabled = true;
  try {
    return await work();
  } finally {
    target.removeAttribute('aria-busy');
    if (button !== null) button.disabled = false;
  }
}
