// Calls to the admin API (docs/control.md §4) from the page, with the admin token when the
// mock has one: asked for once, kept in this tab's session storage, sent as
// `Authorization: Bearer <token>` on every call, never put in a URL.

const TOKEN_KEY = 'recotap-mock:admin-token';

/** An admin call the mock refused, or that never reached it (status 0). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let tokenRequired = false;
/** The pending question for the token, shared by every call that needs it. */
let asking = null;

/** Whether the mock asks for a token (known after `start`). */
export function needsToken() {
  return tokenRequired;
}

/** Learns whether the mock has an admin token (the page's one unguarded question), and asks
 * for the token before any data is read when it has one and this tab does not know it. */
export async function start() {
  const response = await fetch('/_mock/ui/auth.json', { cache: 'no-store' });
  const auth = await response.json();
  tokenRequired = auth.tokenRequired === true;
  if (tokenRequired && !sessionStorage.getItem(TOKEN_KEY)) {
    await askToken('');
  }
}

/** Forgets the token of this tab. */
export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Shows the token dialog with `problem` (if any); resolves once a token is given. */
function askToken(problem) {
  if (asking) return asking;
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  document.getElementById('token-problem').textContent = problem;
  input.value = '';
  asking = new Promise((resolve) => {
    const submit = (event) => {
      event.preventDefault();
      if (!input.value) return;
      sessionStorage.setItem(TOKEN_KEY, input.value);
      form.removeEventListener('submit', submit);
      dialog.close();
      asking = null;
      resolve();
    };
    form.addEventListener('submit', submit);
    // Escape must not leave the page without a token and with nothing to show.
    dialog.addEventListener('cancel', (event) => event.preventDefault(), { once: true });
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** `path` with the query `params` (empty values left out). */
export function url(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Calls the admin API: `method` on `path` (with its query), `body` sent as JSON when given.
 * Resolves to the parsed JSON answer (text for a text answer, `null` for none); rejects with
 * an `ApiError` carrying the mock's `error` message.
 */
export async function call(method, path, body) {
  for (;;) {
    const headers = {};
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (tokenRequired && token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      // A token with characters a header cannot hold fails here, before any request.
      if (token && error instanceof TypeError && /header/i.test(error.message)) {
        forgetToken();
        await askToken('That token cannot be sent in a header.');
        continue;
      }
      throw new ApiError(0, 'The mock does not answer (is it still running?)');
    }
    if (response.status === 401) {
      tokenRequired = true;
      forgetToken();
      await askToken(token ? 'The mock refused that token.' : '');
      continue;
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = JSON.parse(text).error ?? text;
      } catch {
        // Not JSON: the text is the message.
      }
      throw new ApiError(response.status, `${response.status}: ${message}`);
    }
    if (!text) return null;
    const type = response.headers.get('Content-Type') ?? '';
    return type.startsWith('application/json') ? JSON.parse(text) : text;
  }
}
