// Passkeys (WebAuthn) for NSC Casework: creating one from Sign-in security, and using one at the
// security-code step. Loaded as a module from 'self' (the Content-Security-Policy allows no inline
// script and no inline event handlers); pages give their endpoints in data- attributes.

const FALLBACK = {
  register: "Your passkey could not be created. Try again.",
  signIn: "Your passkey could not be checked. Try again, or enter a security code.",
};

const BROWSER_MESSAGES = {
  NotAllowedError: "You did not confirm it was you, or the request timed out. Try again.",
  InvalidStateError: "This passkey is already registered. Use a different device or security key.",
  AbortError: "The request was cancelled. Try again.",
  SecurityError: "Passkeys cannot be used on this address. Contact your system administrator.",
  NotSupportedError: "This browser or device cannot use passkeys. Enter a security code instead.",
};

function base64urlToBuffer(value) {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (value.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function bufferToBase64url(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list) {
  return (list || []).map((item) => ({ ...item, id: base64urlToBuffer(item.id) }));
}

function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: base64urlToBuffer(json.challenge),
    user: { ...json.user, id: base64urlToBuffer(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return { ...json, challenge: base64urlToBuffer(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") {
    try {
      return credential.toJSON();
    } catch {
      // Fall through to the manual encoding below.
    }
  }
  const { response } = credential;
  const json = {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: bufferToBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = bufferToBase64url(response.attestationObject);
    if (typeof response.getTransports === "function") json.response.transports = response.getTransports();
  } else {
    json.response.authenticatorData = bufferToBase64url(response.authenticatorData);
    json.response.signature = bufferToBase64url(response.signature);
    if (response.userHandle) json.response.userHandle = bufferToBase64url(response.userHandle);
  }
  return json;
}

function csrfToken() {
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}

class Navigated extends Error {}

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body || {}),
  });
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("application/json")) {
    // The session ended (the answer is the sign-in page) or something else went wrong: reload,
    // and the server shows the right page.
    window.location.assign(response.redirected ? response.url : window.location.href);
    throw new Navigated();
  }
  return { ok: response.ok, data: await response.json() };
}

function showError(message) {
  const box = document.querySelector("[data-passkey-error]");
  if (!box) return;
  const link = box.querySelector(".nhsuk-error-summary__list a");
  if (link) link.textContent = message;
  box.hidden = false;
  const summary = box.querySelector(".nhsuk-error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
}

function hideError() {
  const box = document.querySelector("[data-passkey-error]");
  if (box) box.hidden = true;
}

function followOr(data, fallback) {
  if (data.redirect) {
    window.location.assign(data.redirect);
    return;
  }
  showError(data.error || fallback);
}

async function ceremony(section, button, kind) {
  button.disabled = true;
  hideError();
  try {
    const options = await postJSON(section.dataset.optionsUrl);
    if (!options.ok || !options.data.challenge) {
      followOr(options.data, FALLBACK[kind]);
      return;
    }
    let credential;
    try {
      credential = kind === "register"
        ? await navigator.credentials.create({ publicKey: creationOptions(options.data) })
        : await navigator.credentials.get({ publicKey: requestOptions(options.data) });
    } catch (error) {
      showError(BROWSER_MESSAGES[error && error.name] || FALLBACK[kind]);
      return;
    }
    const result = await postJSON(section.dataset.verifyUrl, { credential: credentialJSON(credential) });
    if (result.ok) {
      window.location.assign(result.data.redirect);
      return;
    }
    followOr(result.data, FALLBACK[kind]);
  } catch (error) {
    if (!(error instanceof Navigated)) showError(FALLBACK[kind]);
  } finally {
    button.disabled = false;
  }
}

function supported() {
  return typeof window.PublicKeyCredential === "function"
    && Boolean(navigator.credentials)
    && typeof navigator.credentials.create === "function";
}

function start(selector, kind) {
  const section = document.querySelector(selector);
  if (!section || !supported()) return;
  const button = section.querySelector("#passkey-button");
  if (!button) return;
  section.hidden = false;
  const unsupported = document.querySelector("[data-passkey-unsupported]");
  if (unsupported) unsupported.hidden = true;
  button.addEventListener("click", () => ceremony(section, button, kind));
}

start("[data-passkey-register]", "register");
start("[data-passkey-sign-in]", "signIn");
