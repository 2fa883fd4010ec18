// OPCAT Gateway operator console.
//
// One plain script, no framework and no build step: the gateway compiles this file into its
// binary and serves it under a strict Content-Security-Policy (script-src 'self', style-src
// 'self'). Hence the rules followed throughout:
//   - the DOM is built with createElement/textContent (the h() and s() helpers below), never
//     innerHTML: every value from the API (member names, error values, column names of members'
//     files, recipients' error messages) is treated as hostile text;
//   - no inline styles and no element.style: looks come from classes in app.css, and the chart
//     uses SVG attributes and classes;
//   - the only requests are to the gateway's own API (fetch and one EventSource).
//
// Layout of this file: helpers (DOM, formatting), the API client, session and live stream,
// the shell (header and navigation), the router, then one render function per view.
'use strict';

(() => {
  // ============================================================ DOM helpers

  const SVG_NS = 'http://www.w3.org/2000/svg';

  // Sets attributes/properties/listeners on an element. Keys: class (string or array),
  // testid (data-testid), text (textContent), on<event> (listener), value/checked/selected/
  // disabled/hidden (properties), anything else an attribute (true: present, null/false: absent).
  function applyProps(el, props) {
    if (!props) return;
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === 'class') {
        const cls = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
        if (cls) el.setAttribute('class', cls);
      } else if (key === 'testid') {
        el.setAttribute('data-testid', value);
      } else if (key === 'text') {
        el.textContent = String(value);
      } else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (['value', 'checked', 'selected', 'disabled', 'hidden'].includes(key)) {
        el[key] = value;
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }

  // Appends children: nodes as they are, strings and numbers as text nodes (never parsed as
  // HTML), nested arrays flattened, null/undefined/false skipped.
  function appendChildren(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    applyProps(el, props);
    return appendChildren(el, children);
  }

  // Replaces an element's children (same rules as h(): arrays flattened, null skipped).
  function fill(el, ...children) {
    el.replaceChildren();
    return appendChildren(el, children);
  }

  function s(tag, props, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    applyProps(el, props);
    return appendChildren(el, children);
  }

  // A hash link. Ids are URI-encoded, and every href starts with "#/", so no API value can
  // turn a link into a javascript: URL.
  function link(route, props, ...children) {
    return h('a', { ...props, href: '#/' + route }, ...children);
  }

  const enc = encodeURIComponent;

  // ============================================================ Formatting

  const numberFormat = new Intl.NumberFormat('en-GB');
  const fmtInt = (n) => (n == null ? '—' : numberFormat.format(n));

  function fmtBytes(n) {
    if (n == null) return '—';
    if (n < 1024) return `${n} B`;
    const units = ['KB', 'MB', 'GB', 'TB'];
    let v = n / 1024;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u += 1; }
    return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
  }

  function fmtPercent(ratio) {
    if (ratio == null) return '—';
    const pct = ratio * 100;
    if (pct === 0) return '0%';
    if (pct < 0.01) return '<0.01%';
    return `${pct < 0.995 ? pct.toFixed(2) : pct.toFixed(1)}%`;
  }

  function fmtDuration(ms) {
    if (ms == null) return '—';
    if (ms < 1000) return `${ms} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
    return `${Math.round(ms / 60000)} min`;
  }

  function fmtInterval(hours) {
    if (hours == null) return '—';
    return hours % 24 === 0 ? `every ${hours / 24} d` : `every ${hours} h`;
  }

  // Relative to now: "just now", "4 min ago", "in 3 h", "2 d ago", then a date.
  function relTime(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return String(iso);
    const diff = (Date.now() - t) / 1000;
    const abs = Math.abs(diff);
    const say = (n, unit) => (diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
    if (abs < 45) return diff >= 0 ? 'just now' : 'in a moment';
    if (abs < 3600) return say(Math.max(1, Math.round(abs / 60)), 'min');
    if (abs < 86400) return say(Math.round(abs / 3600), 'h');
    if (abs < 45 * 86400) return say(Math.round(abs / 86400), 'd');
    return new Date(t).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  }

  // The hover text: local time in words and the API's exact UTC timestamp.
  function absTime(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return String(iso);
    const local = new Date(t).toLocaleString('en-GB', {
      weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
      hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
    });
    return `${local}  ·  ${iso}`;
  }

  // A <time> showing a relative time, the absolute one in its title; refreshed every 30 s.
  function timeEl(iso, none = '—') {
    if (!iso) return h('span', { class: 'muted' }, none);
    return h('time', { datetime: iso, title: absTime(iso), 'data-rel': '' }, relTime(iso));
  }

  function refreshRelativeTimes() {
    for (const el of document.querySelectorAll('time[data-rel]')) {
      el.textContent = relTime(el.getAttribute('datetime'));
    }
  }

  // The meaning of a status word, as a colour: ok (green), warn (amber), bad (red), info (blue).
  const TONES = {
    complete: 'ok', delivered: 'ok', done: 'ok', active: 'ok',
    partial: 'warn', retry: 'warn', overdue: 'warn', outbox_age: 'warn', member_overdue: 'warn',
    rejected: 'bad', failed: 'bad', delivery_failed: 'bad', disabled: 'bad',
    pending: 'info', queued: 'info', running: 'info', requeued: 'info',
  };

  function badge(text, tone = TONES[text] || 'neutral', props = {}) {
    return h('span', { ...props, class: ['badge', `tone-${tone}`, props.class] }, text);
  }

  // The NPM's reporting year (1 April to 31 March) holding `day`, as "FIRST..LAST".
  function npmYear(day = new Date()) {
    const y = day.getMonth() >= 3 ? day.getFullYear() : day.getFullYear() - 1;
    return `${y}-04-01..${y + 1}-03-31`;
  }

  // ============================================================ State

  const state = {
    session: null, // {operator, name, role, csrf, expires_at}
    overview: null, // the last GET /v1/overview
    view: null, // the current view: {section, alive, onTransfer, onOverview, timers}
    maxSeq: null, // the highest transfer seq seen: where the live stream resumes
    live: { es: null, retry: 0, timer: null, open: false },
    loginMessage: '',
  };

  const canAct = () => ['operator', 'admin'].includes(state.session && state.session.role);
  const isAdmin = () => Boolean(state.session && state.session.role === 'admin');

  // ============================================================ API client

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // Calls the gateway's API. Changes carry the session's CSRF token; a 401 anywhere (except
  // the login itself, `auth: false`) means the session is gone: back to the login form.
  async function api(path, { method = 'GET', body, auth = true } = {}) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      if (state.session) headers['X-CSRF-Token'] = state.session.csrf;
    }
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(0, 'network', 'The gateway could not be reached.');
    }
    if (res.status === 204) return null;
    let data = null;
    const text = await res.text();
    if (text) {
      try { data = JSON.parse(text); } catch (err) { data = null; }
    }
    if (!res.ok) {
      const e = (data && data.error) || {};
      const error = new ApiError(res.status, e.code || `http_${res.status}`,
        e.message || `The gateway answered HTTP ${res.status}.`);
      if (res.status === 401 && auth) signedOut(error.code);
      throw error;
    }
    return data;
  }

  // Shows an error from an action the operator took (a button), unless it was a 401 (the
  // login form is already back).
  function reportError(err, what) {
    if (err.status === 401) return;
    const prefix = err.code === 'role_forbidden' ? 'Not allowed' : what;
    toast(`${prefix}: ${err.message}`, 'bad');
  }

  // ============================================================ Toasts

  let toastBox = null;

  function toast(message, tone = 'info') {
    if (!toastBox) return;
    const el = h('div', { class: ['toast', `tone-${tone}`], role: tone === 'bad' ? 'alert' : 'status' },
      h('span', null, message),
      h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
    toastBox.append(el);
    setTimeout(() => el.remove(), tone === 'bad' ? 10000 : 5000);
  }

  // ============================================================ Session

  async function boot() {
    setInterval(refreshRelativeTimes, 30000);
    window.addEventListener('hashchange', route);
    try {
      state.session = await api('/v1/session', { auth: false });
    } catch (err) {
      if (err.status === 401) {
        if (err.code === 'session_expired') state.loginMessage = 'Your session expired. Please sign in again.';
        renderLogin();
        return;
      }
      renderFatal(err);
      return;
    }
    startApp();
  }

  // The session is gone (401): stop everything and ask for the login again. The hash stays,
  // so signing in again returns to the same page.
  function signedOut(code) {
    if (!state.session) return;
    state.session = null;
    stopLive();
    disposeView();
    state.loginMessage = code === 'session_expired'
      ? 'Your session expired. Please sign in again.' : 'Please sign in.';
    renderLogin();
  }

  async function signOut() {
    try {
      await api('/v1/session', { method: 'DELETE' });
    } catch (err) {
      if (err.status !== 401) { reportError(err, 'Could not sign out'); return; }
    }
    state.session = null;
    state.overview = null;
    stopLive();
    disposeView();
    state.loginMessage = 'You have signed out.';
    renderLogin();
  }

  function renderFatal(err) {
    const app = document.getElementById('app');
    fill(app, h('div', { class: 'login-wrap' },
      h('div', { class: 'login-card' },
        h('h1', null, 'The console cannot start'),
        h('p', { class: 'error-box' }, err.message),
        h('button', { type: 'button', class: 'btn', onclick: () => location.reload() }, 'Try again'))));
  }

  function renderLogin() {
    const app = document.getElementById('app');
    document.title = 'Sign in · OPCAT Gateway';
    const error = h('p', { class: 'login-error', testid: 'login-error', role: 'alert', hidden: true });
    const nameInput = h('input', { name: 'name', id: 'login-name', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
    const passwordInput = h('input', { name: 'password', id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide', testid: 'login-submit' }, 'Sign in');
    const message = state.loginMessage;
    state.loginMessage = '';

    const form = h('form', { class: 'login-card', testid: 'login-form', novalidate: true },
      h('div', { class: 'brand brand-login' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
        h('span', null, h('strong', null, 'OPCAT Gateway'), h('span', { class: 'brand-sub' }, 'Operator console'))),
      h('h1', null, 'Sign in'),
      message && h('p', { class: 'notice' }, message),
      h('label', { for: 'login-name' }, 'Name'), nameInput,
      h('label', { for: 'login-password' }, 'Password'), passwordInput,
      error,
      submit);

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      if (!nameInput.value || !passwordInput.value) {
        error.textContent = 'Enter your name and password.';
        error.hidden = false;
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Signing in…';
      try {
        state.session = await api('/v1/session', {
          method: 'POST', auth: false, body: { name: nameInput.value, password: passwordInput.value },
        });
      } catch (err) {
        error.textContent = err.code === 'bad_credentials' ? 'Wrong name or password.' : err.message;
        error.hidden = false;
        passwordInput.value = '';
        passwordInput.focus();
        submit.disabled = false;
        submit.textContent = 'Sign in';
        return;
      }
      startApp();
    });

    fill(app, h('div', { class: 'login-wrap' }, form));
    nameInput.focus();
  }

  // ============================================================ Live stream

  // One EventSource for the whole session. It starts after the highest seq we know, and drops
  // any event at or below it, so a reconnect that resends old entries changes nothing.
  async function startLive() {
    stopLive();
    if (state.maxSeq == null) {
      try {
        const latest = await api('/v1/transfers?order=desc&limit=1');
        state.maxSeq = latest.transfers && latest.transfers.length ? latest.transfers[0].seq : 0;
      } catch (err) {
        if (err.status === 401) return;
        state.maxSeq = 0;
      }
    }
    if (state.session) openStream();
  }

  function openStream() {
    const live = state.live;
    const es = new EventSource(`/v1/transfers/stream?after=${state.maxSeq || 0}`);
    live.es = es;
    es.onopen = () => {
      live.retry = 0;
      setLive(true);
    };
    es.addEventListener('transfer', (ev) => {
      let t;
      try { t = JSON.parse(ev.data); } catch (err) { return; }
      if (!t || typeof t.seq !== 'number' || t.seq <= (state.maxSeq || 0)) return;
      state.maxSeq = t.seq;
      const view = state.view;
      if (view && view.alive && view.onTransfer) view.onTransfer(t);
    });
    es.onerror = () => {
      setLive(false);
      // CONNECTING: the browser retries by itself. CLOSED: it gave up (an HTTP error, such as
      // a 401 when the session ended): check the session, then reconnect with a backoff.
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        if (live.es === es) live.es = null;
        scheduleReconnect();
      }
    };
  }

  function scheduleReconnect() {
    const live = state.live;
    const delay = Math.min(30000, 1000 * 2 ** live.retry);
    live.retry += 1;
    clearTimeout(live.timer);
    live.timer = setTimeout(async () => {
      try {
        state.session = await api('/v1/session');
      } catch (err) {
        if (err.status === 401) return; // signedOut() has run
        scheduleReconnect();
        return;
      }
      if (!state.live.es) openStream();
    }, delay);
  }

  function stopLive() {
    const live = state.live;
    clearTimeout(live.timer);
    if (live.es) live.es.close();
    live.es = null;
    live.retry = 0;
    setLive(false);
  }

  function setLive(open) {
    state.live.open = open;
    const el = document.querySelector('[data-testid="live-indicator"]');
    if (!el) return;
    el.textContent = open ? 'live' : 'reconnecting…';
    el.className = open ? 'live live-on' : 'live live-off';
    el.title = open ? 'New transfers appear as they happen' : 'The live feed is reconnecting';
  }

  // ============================================================ Overview data (shared)

  // Keeps state.overview fresh: the navigation's badges and the member/recipient pickers use it.
  async function refreshOverview() {
    const ov = await api('/v1/overview');
    state.overview = ov;
    updateNavBadges(ov);
    const view = state.view;
    if (view && view.alive && view.onOverview) view.onOverview(ov);
    return ov;
  }

  async function ensureOverview() {
    if (state.overview) return state.overview;
    try { return await refreshOverview(); } catch (err) { return null; }
  }

  // Calls fn at most once per `ms`, trailing: a burst of events makes one call at the end.
  function throttle(view, fn, ms) {
    let last = 0;
    let timer = null;
    return () => {
      if (timer) return;
      const wait = Math.max(0, last + ms - Date.now());
      timer = view.later(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }

  // ============================================================ Shell

  const NAV = [
    { section: 'overview', label: 'Overview' },
    { section: 'transfers', label: 'Transfers' },
    { section: 'deliveries', label: 'Deliveries' },
    { section: 'alerts', label: 'Alerts' },
    { section: 'operators', label: 'Operators', admin: true },
  ];

  let mainEl = null;

  function startApp() {
    renderShell();
    startLive();
    ensureOverview();
    route();
  }

  function renderShell() {
    const app = document.getElementById('app');
    const session = state.session;
    const nav = h('nav', { class: 'sidebar', 'aria-label': 'Sections' },
      h('ul', null, NAV.filter((item) => !item.admin || isAdmin()).map((item) =>
        h('li', null, link(item.section, { class: 'nav-link', testid: `nav-${item.section}`, 'data-section': item.section },
          h('span', { class: 'nav-label' }, item.label),
          h('span', { class: 'nav-badge', 'data-badge': item.section, hidden: true }))))),
      h('div', { class: 'sidebar-foot' }, 'UK NPM · OPCAT'));

    const header = h('header', { class: 'topbar' },
      link('overview', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
        h('span', null, h('strong', null, 'OPCAT Gateway'), h('span', { class: 'brand-sub' }, 'Operator console'))),
      h('div', { class: 'topbar-spacer' }),
      h('span', { class: 'live live-off', testid: 'live-indicator', role: 'status' }, 'reconnecting…'),
      h('span', { class: 'who', testid: 'whoami', title: `Signed in as ${session.operator}; session ends ${absTime(session.expires_at)}` },
        h('span', { class: 'who-name' }, session.name || session.operator),
        badge(session.role, session.role === 'viewer' ? 'neutral' : 'info', { testid: 'role' })),
      h('button', { type: 'button', class: 'btn btn-quiet', testid: 'logout', onclick: signOut }, 'Sign out'));

    mainEl = h('main', { class: 'main', id: 'main', tabindex: '-1' });
    toastBox = h('div', { class: 'toasts', 'aria-live': 'polite' });
    fill(app, header, h('div', { class: 'layout' }, nav, mainEl), toastBox);
    setLive(state.live.open);
    if (state.overview) updateNavBadges(state.overview);
  }

  function setActiveNav(section) {
    for (const a of document.querySelectorAll('.nav-link')) {
      const on = a.getAttribute('data-section') === section;
      a.classList.toggle('active', on);
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }

  function setNavBadge(section, count, tone) {
    const el = document.querySelector(`[data-badge="${section}"]`);
    if (!el) return;
    el.hidden = !count;
    el.textContent = count ? String(count) : '';
    el.className = `nav-badge tone-${tone}`;
  }

  function updateNavBadges(ov) {
    const active = (ov.alerts || []).filter((a) => !a.cleared_at).length;
    const failed = (ov.recipients || []).reduce((n, r) => n + (r.failed || 0), 0);
    setNavBadge('alerts', active, 'warn');
    setNavBadge('deliveries', failed, 'bad');
  }

  // ============================================================ Router

  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, '');
    const q = raw.indexOf('?');
    const pathPart = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const segs = pathPart.split('/').filter(Boolean).map((seg) => {
      try { return decodeURIComponent(seg); } catch (err) { return seg; }
    });
    return { segs, query };
  }

  function disposeView() {
    const view = state.view;
    if (!view) return;
    view.alive = false;
    for (const t of view.timers) { clearTimeout(t); clearInterval(t); }
    state.view = null;
  }

  // Each navigation renders a fresh view into a fresh element. Async loads that finish after
  // the operator moved on write into a detached element (harmless); timers are view-scoped.
  function route() {
    if (!state.session || !mainEl) return;
    const { segs, query } = parseHash();
    const section = segs[0] || 'overview';
    disposeView();
    const view = {
      section, alive: true, onTransfer: null, onOverview: null, timers: [],
      later(fn, ms) {
        const t = setTimeout(() => { if (view.alive) fn(); }, ms);
        view.timers.push(t);
        return t;
      },
      every(fn, ms) {
        const t = setInterval(() => { if (view.alive) fn(); }, ms);
        view.timers.push(t);
        return t;
      },
    };
    state.view = view;
    const root = h('div', { class: 'view' });
    fill(mainEl, root);
    setActiveNav(section);
    window.scrollTo(0, 0);

    const id = segs[1];
    let title = 'Overview';
    if (section === 'overview') renderOverview(view, root);
    else if (section === 'transfers') { title = 'Transfers'; renderTransfers(view, root, query); }
    else if (section === 'submissions' && id) { title = 'Submission'; renderSubmission(view, root, id); }
    else if (section === 'deliveries' && id) { title = 'Delivery'; renderDelivery(view, root, id); }
    else if (section === 'deliveries') { title = 'Deliveries'; renderDeliveries(view, root, query); }
    else if (section === 'alerts') { title = 'Alerts'; renderAlerts(view, root); }
    else if (section === 'operators') { title = 'Operators'; renderOperators(view, root); }
    else { title = 'Not found'; renderNotFound(root); }
    document.title = `${title} · OPCAT Gateway`;
  }

  // ============================================================ View building blocks

  function pageHead(title, subtitle, ...actions) {
    return h('div', { class: 'page-head' },
      h('div', { class: 'page-title' }, h('h1', null, title), subtitle && h('p', { class: 'page-sub' }, subtitle)),
      h('div', { class: 'page-actions' }, actions));
  }

  function panel(title, props, ...body) {
    const { extra, ...rest } = props || {};
    return h('section', { ...rest, class: ['panel', rest.class] },
      title && h('header', { class: 'panel-head' }, h('h2', null, title), extra && h('div', { class: 'panel-extra' }, extra)),
      body);
  }

  const loadingEl = (what = 'Loading…') => h('div', { class: 'loading', role: 'status' }, what);

  function errorBox(err, what = 'Could not load this page') {
    if (err.status === 401) return loadingEl('Signed out.');
    return h('div', { class: 'error-box', role: 'alert' },
      h('strong', null, `${what}: `), err.message,
      err.code && h('span', { class: 'code' }, ` (${err.code})`));
  }

  function refreshButton(onclick) {
    return h('button', { type: 'button', class: 'btn', onclick }, 'Refresh');
  }

  // A table with a header row; cols are labels or {label, class}.
  function tableEl(props, cols, tbody) {
    return h('div', { class: 'table-wrap' },
      h('table', { ...props, class: ['table', props && props.class] },
        h('thead', null, h('tr', null, cols.map((c) => (typeof c === 'string'
          ? h('th', { scope: 'col' }, c)
          : h('th', { scope: 'col', class: c.class, title: c.title }, c.label))))),
        tbody));
  }

  function emptyRow(colspan, text) {
    return h('tr', { class: 'empty-row' }, h('td', { colspan }, text));
  }

  // A cell that may hold long text: shown on one line, cut with an ellipsis, whole in its title.
  function clipped(text, cls = '') {
    if (text == null || text === '') return h('span', { class: 'muted' }, '—');
    return h('span', { class: ['clip', cls], title: String(text) }, String(text));
  }

  function shortId(id) {
    return h('span', { class: 'mono id', title: id }, id);
  }

  // Rows that navigate on click (anywhere in the row); the link inside stays the keyboard path.
  function clickableRow(tr, route) {
    if (!route) return tr;
    tr.classList.add('clickable');
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a, button, input, select')) return;
      if (window.getSelection && String(window.getSelection())) return; // selecting text
      location.hash = '#/' + route;
    });
    return tr;
  }

  function selectEl(props, options, current) {
    return h('select', props, options.map(([value, label]) =>
      h('option', { value, selected: value === (current || '') }, label)));
  }

  function factList(items) {
    return h('dl', { class: 'facts' }, items.filter(Boolean).map(([term, value]) =>
      h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value))));
  }

  function renderNotFound(root) {
    root.append(pageHead('Not found', 'This page does not exist in the console.'),
      h('p', null, link('overview', null, 'Back to the overview')));
  }

  // ============================================================ Overview

  function renderOverview(view, root) {
    root.setAttribute('data-testid', 'overview');
    const stamp = h('span', { class: 'muted' });
    const body = h('div', { class: 'view-body' }, loadingEl());
    const chartSlot = h('div', { class: 'chart-slot' }, loadingEl());
    root.append(pageHead('Overview', h('span', null, 'Members’ pushes, deliveries and alerts. ', stamp)), body);

    let built = false;
    const draw = (ov) => {
      fill(stamp, 'Updated ', timeEl(ov.generated_at));
      fill(body, overviewBody(ov, chartSlot));
      built = true;
    };
    const loadChart = async () => {
      try {
        const stats = await api('/v1/stats/records-per-day?days=30');
        fill(chartSlot, recordsChart(stats, chartSlot));
      } catch (err) {
        fill(chartSlot, errorBox(err, 'Could not load the chart'));
      }
    };

    view.onOverview = draw;
    refreshOverview().then(() => loadChart()).catch((err) => { if (!built) fill(body, errorBox(err)); });

    // Live: new transfers refresh the figures (at most every 2 s) and the chart (every 15 s).
    const refreshFigures = throttle(view, () => refreshOverview().catch(() => {}), 2000);
    const refreshChart = throttle(view, loadChart, 15000);
    view.onTransfer = () => { refreshFigures(); refreshChart(); };
    // Alerts are raised by the gateway's minute clock, not by transfers: poll for them.
    view.every(() => refreshOverview().catch(() => {}), 60000);
  }

  function overviewBody(ov, chartSlot) {
    const members = ov.members || [];
    const recipients = ov.recipients || [];
    const alerts = (ov.alerts || []).filter((a) => !a.cleared_at);
    return [
      kpiStrip(members, recipients, alerts),
      alerts.length ? panel(`Active alerts`, { class: 'panel-alerts', extra: link('alerts', null, 'All alerts') }, alertList(alerts)) : null,
      h('div', { class: 'grid-overview' },
        panel('Recipients', { class: 'panel-recipients', extra: link('deliveries', null, 'Deliveries') },
          h('div', { class: 'recipient-cards' }, recipients.length
            ? recipients.map(recipientCard) : h('p', { class: 'empty' }, 'No recipients are configured.'))),
        panel('Records accepted per day', { class: 'panel-chart', extra: h('span', { class: 'muted' }, 'last 30 days, by time received') }, chartSlot)),
      panel('Members', { extra: h('span', { class: 'muted' }, `${members.length} bodies · click a row for its transfers`) }, membersTable(members)),
    ];
  }

  function kpiStrip(members, recipients, alerts) {
    const sum = (list, key) => list.reduce((n, x) => n + (x[key] || 0), 0);
    const overdue = members.filter((m) => m.overdue).length;
    const accepted = sum(members, 'records_accepted');
    const rejected = sum(members, 'records_rejected');
    const failed = sum(recipients, 'failed');
    const queued = sum(recipients, 'queued');
    const pushed = members.filter((m) => m.last_push).length;
    const kpi = (label, value, note, tone, route) => {
      const inner = [h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, value), h('span', { class: 'kpi-note' }, note)];
      return route
        ? link(route, { class: ['kpi', tone && `kpi-${tone}`] }, inner)
        : h('div', { class: ['kpi', tone && `kpi-${tone}`] }, inner);
    };
    return h('div', { class: 'kpis' },
      kpi('Members pushing', `${pushed} / ${members.length}`, overdue ? `${overdue} overdue` : 'none overdue', overdue ? 'warn' : null),
      kpi('Records accepted', fmtInt(accepted), `${fmtInt(rejected)} rejected (${fmtPercent(accepted + rejected ? rejected / (accepted + rejected) : 0)})`, null, 'transfers?direction=in'),
      kpi('Deliveries queued', fmtInt(queued), recipients.length ? `to ${recipients.length} recipients` : '', null, 'deliveries?state=pending'),
      kpi('Failed deliveries', fmtInt(failed), failed ? 'need an operator' : 'none', failed ? 'bad' : 'ok', 'deliveries?state=failed'),
      kpi('Active alerts', fmtInt(alerts.length), alerts.length ? 'see below' : 'all clear', alerts.length ? 'warn' : 'ok', 'alerts'));
  }

  function recipientCard(r) {
    const failedLink = link(`deliveries?recipient=${enc(r.name)}&state=failed`,
      { class: ['stat-link', r.failed ? 'tone-text-bad' : 'muted'], testid: `recipient-failed-${r.name}`, title: `Failed deliveries to ${r.name}` },
      h('span', { class: 'stat-value' }, fmtInt(r.failed)), h('span', { class: 'stat-label' }, 'failed'));
    const stat = (value, label, route, cls) => link(route, { class: ['stat-link', cls] },
      h('span', { class: 'stat-value' }, fmtInt(value)), h('span', { class: 'stat-label' }, label));
    // An undelivered payload older than an hour deserves a look (the outbox_age alert's default).
    const oldAge = r.oldest_undelivered && Date.now() - Date.parse(r.oldest_undelivered) > 3600 * 1000;
    return h('article', { class: ['recipient-card', r.failed ? 'card-bad' : oldAge ? 'card-warn' : null], testid: `recipient-card-${r.name}` },
      h('header', null, h('h3', null, r.name),
        r.failed ? badge('attention', 'bad') : r.queued ? badge('sending', 'info') : badge('up to date', 'ok')),
      h('div', { class: 'stats' },
        stat(r.queued, 'queued', `deliveries?recipient=${enc(r.name)}&state=pending`),
        stat(r.delivered, 'delivered', `deliveries?recipient=${enc(r.name)}&state=delivered`, 'tone-text-ok'),
        failedLink),
      h('p', { class: ['card-foot', oldAge ? 'tone-text-warn' : null] }, 'Oldest undelivered: ', timeEl(r.oldest_undelivered, 'none')));
  }

  function membersTable(members) {
    const tbody = h('tbody');
    // Overdue members first, then as the gateway lists them.
    const rows = [...members].sort((a, b) => Number(b.overdue) - Number(a.overdue));
    for (const m of rows) {
      const rate = m.rejection_rate;
      tbody.append(clickableRow(h('tr', { testid: 'member-row', 'data-member': m.code, class: m.overdue ? 'row-warn' : null },
        h('td', { class: 'col-code' }, link(`transfers?member=${enc(m.code)}`, { class: 'mono' }, m.code)),
        h('td', { class: 'col-name' }, m.name || ''),
        h('td', null, timeEl(m.last_push, 'never')),
        h('td', { class: 'muted' }, fmtInterval(m.expected_interval_hours)),
        h('td', { class: 'num' }, fmtInt(m.submissions)),
        h('td', { class: 'num' }, fmtInt(m.records_accepted)),
        h('td', { class: ['num', m.records_rejected ? null : 'muted'] }, fmtInt(m.records_rejected)),
        h('td', { class: ['num', rate > 0.05 ? 'tone-text-warn' : null] }, fmtPercent(rate)),
        h('td', null, m.overdue ? badge('overdue', 'warn')
          : m.expected_interval_hours ? badge('on time', 'ok') : h('span', { class: 'muted' }, 'no schedule'))),
      `transfers?member=${enc(m.code)}`));
    }
    if (!members.length) tbody.append(emptyRow(9, 'No members are configured.'));
    return tableEl({ testid: 'members-table', class: 'table-members' },
      ['Code', 'Member', 'Last push', { label: 'Expected', title: 'expected_interval_hours' },
        { label: 'Submissions', class: 'num' }, { label: 'Accepted', class: 'num' },
        { label: 'Rejected', class: 'num' }, { label: 'Rejection rate', class: 'num' }, 'Status'], tbody);
  }

  function alertList(alerts) {
    return h('ul', { class: 'alert-list' }, alerts.map((a) => h('li', { class: ['alert-item', `tone-border-${TONES[a.kind] || 'warn'}`], testid: 'alert-item' },
      badge(a.kind.replace(/_/g, ' '), TONES[a.kind] || 'warn'),
      alertSubject(a),
      h('span', { class: 'alert-msg clip', title: a.message }, a.message),
      timeEl(a.raised_at))));
  }

  // An alert's subject as a link to where the operator acts on it.
  function alertSubject(a) {
    const subject = a.subject || '';
    if (a.kind === 'delivery_failed') return link(`deliveries/${enc(subject)}`, { class: 'mono', testid: 'alert-link' }, subject);
    if (a.kind === 'member_overdue') return link(`transfers?member=${enc(subject)}`, { class: 'mono', testid: 'alert-link' }, subject);
    if (a.kind === 'outbox_age') return link(`deliveries?recipient=${enc(subject)}&state=pending`, { class: 'mono', testid: 'alert-link' }, subject);
    return h('span', { class: 'mono' }, subject);
  }

  // ------------------------------------------------------------ the chart

  // A colour class per member, stable across refreshes: the member's place in the overview.
  function colourClass(code) {
    const members = (state.overview && state.overview.members) || [];
    let i = members.findIndex((m) => m.code === code);
    if (i < 0) i = [...code].reduce((n, c) => (n * 31 + c.charCodeAt(0)) >>> 0, 7);
    return `series-${i % 21}`;
  }

  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    const pow = 10 ** Math.floor(Math.log10(raw));
    const n = raw / pow;
    return Math.max(1, (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * pow);
  }

  const compact = new Intl.NumberFormat('en-GB', { notation: 'compact', maximumFractionDigits: 1 });
  const dayLabel = (day) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

  // Stacked bars, one per day, one segment per member (largest total at the bottom), with a
  // legend; hovering a legend entry dims the other members.
  function recordsChart(stats, slot) {
    const days = stats.days || [];
    const series = (stats.members || []).map((m) => ({
      code: m.code, records: m.records || [], total: (m.records || []).reduce((a, b) => a + (b || 0), 0),
    })).filter((m) => m.total > 0).sort((a, b) => b.total - a.total);
    if (!days.length || !series.length) return h('p', { class: 'empty' }, 'No records received in the last 30 days.');

    const W = Math.max(420, Math.round(slot.clientWidth || 640));
    const H = 210;
    const m = { l: 44, r: 6, t: 8, b: 22 };
    const pw = W - m.l - m.r;
    const ph = H - m.t - m.b;
    const totals = days.map((_, i) => series.reduce((n, x) => n + (x.records[i] || 0), 0));
    const step = niceStep(Math.max(...totals, 1) / 4);
    const top = Math.ceil(Math.max(...totals, 1) / step) * step;
    const y = (v) => m.t + ph - (v / top) * ph;
    const band = pw / days.length;
    const bw = Math.max(2, band * 0.74);

    const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'Records accepted per day, stacked by member', testid: 'records-chart' });
    for (let v = 0; v <= top; v += step) {
      svg.append(s('line', { class: 'grid', x1: m.l, x2: W - m.r, y1: y(v), y2: y(v) }),
        s('text', { class: 'axis', x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, compact.format(v)));
    }
    days.forEach((day, i) => {
      const x = m.l + i * band + (band - bw) / 2;
      const g = s('g', { class: 'day' }, s('title', null, `${day}: ${fmtInt(totals[i])} records`));
      let acc = 0;
      for (const ser of series) {
        const v = ser.records[i] || 0;
        if (!v) continue;
        g.append(s('rect', { class: `seg ${colourClass(ser.code)}`, 'data-member': ser.code, x, width: bw, y: y(acc + v), height: Math.max(0.5, y(acc) - y(acc + v)) },
          s('title', null, `${ser.code} · ${day}: ${fmtInt(v)} records`)));
        acc += v;
      }
      svg.append(g);
      if ((days.length - 1 - i) % 7 === 0) {
        svg.append(s('text', { class: 'axis', x: m.l + i * band + band / 2, y: H - 6, 'text-anchor': 'middle' }, dayLabel(day)));
      }
    });

    const focus = (code) => {
      svg.classList.toggle('focus', Boolean(code));
      for (const r of svg.querySelectorAll('rect.seg')) r.classList.toggle('on', r.getAttribute('data-member') === code);
    };
    const legend = h('ul', { class: 'legend' }, series.map((ser) => h('li', {
      class: 'legend-item', tabindex: '0', title: `${ser.code}: ${fmtInt(ser.total)} records in ${days.length} days`,
      onmouseenter: () => focus(ser.code), onmouseleave: () => focus(null), onfocus: () => focus(ser.code), onblur: () => focus(null),
    }, h('span', { class: `swatch ${colourClass(ser.code)}` }), h('span', { class: 'mono' }, ser.code), h('span', { class: 'muted num' }, compact.format(ser.total)))));
    return h('div', { class: 'chart-box' }, svg, legend);
  }

  // ============================================================ Transfers

  const TRANSFER_STATUSES = ['complete', 'partial', 'rejected', 'delivered', 'retry', 'failed', 'queued', 'requeued'];
  const TRANSFER_FILTERS = ['direction', 'member', 'recipient', 'status'];

  function transferMatches(t, filters) {
    return (!filters.direction || t.direction === filters.direction)
      && (!filters.member || t.member === filters.member)
      && (!filters.recipient || t.recipient === filters.recipient)
      && (!filters.status || t.status === filters.status);
  }

  function transferRoute(t) {
    if (t.direction === 'in' && t.submission_id) return `submissions/${enc(t.submission_id)}`;
    if (t.delivery_id) return `deliveries/${enc(t.delivery_id)}`;
    return null;
  }

  function transferRow(t, fresh) {
    const ref = t.direction === 'in' && t.submission_id
      ? link(`submissions/${enc(t.submission_id)}`, { class: 'mono id', title: t.submission_id }, t.submission_id)
      : t.delivery_id ? link(`deliveries/${enc(t.delivery_id)}`, { class: 'mono id', title: t.delivery_id }, t.delivery_id)
        : h('span', { class: 'muted' }, '—');
    const party = t.direction === 'in'
      ? h('span', { class: 'mono' }, t.member || '—')
      : h('span', { class: 'mono' }, t.recipient || '—');
    const tr = h('tr', {
      testid: 'transfer-row', 'data-seq': t.seq, 'data-member': t.member || '', 'data-status': t.status || '',
      'data-submission': t.submission_id || '', 'data-delivery': t.delivery_id || '',
      class: [fresh && 'fresh', t.status === 'failed' || t.status === 'rejected' ? 'row-bad' : null],
    },
    h('td', { class: 'num muted' }, t.seq),
    h('td', null, timeEl(t.time)),
    h('td', null, h('span', { class: ['dir', `dir-${t.direction}`], title: t.direction === 'in' ? 'from a member' : 'to a recipient' }, t.direction === 'in' ? '↓ in' : '↑ out')),
    h('td', null, party),
    h('td', null, ref),
    h('td', { class: 'num' }, fmtInt(t.records)),
    h('td', { class: 'num' }, fmtBytes(t.bytes)),
    h('td', null, badge(t.status || '—')),
    h('td', { class: 'num muted' }, t.http_status == null ? '—' : t.http_status),
    h('td', { class: 'num muted' }, fmtDuration(t.duration_ms)),
    h('td', { class: 'cell-error' }, t.error ? clipped(t.error, 'tone-text-bad') : ''));
    if (fresh) tr.addEventListener('animationend', () => tr.classList.remove('fresh'), { once: true });
    return clickableRow(tr, transferRoute(t));
  }

  async function renderTransfers(view, root, query) {
    const filters = Object.fromEntries(TRANSFER_FILTERS.map((k) => [k, query.get(k) || '']));
    const count = h('span', { class: 'muted' });
    const tbody = h('tbody');
    const table = tableEl({ testid: 'transfers-table', class: 'table-transfers', 'aria-busy': 'true' },
      [{ label: 'Seq', class: 'num' }, 'Time', 'Dir', 'Member / recipient', 'Submission / delivery',
        { label: 'Records', class: 'num' }, { label: 'Bytes', class: 'num' }, 'Status',
        { label: 'HTTP', class: 'num' }, { label: 'Took', class: 'num' }, 'Error'], tbody);
    const tableNode = table.querySelector('table');
    const more = h('div', { class: 'more' });
    const filterBar = h('form', { class: 'filters', testid: 'transfer-filters', onsubmit: (ev) => ev.preventDefault() }, loadingEl('Loading filters…'));

    root.append(
      pageHead('Transfers', 'Every crossing of the gateway’s boundary, newest first. New entries appear live.'),
      filterBar,
      panel(null, { class: 'panel-flush' }, table, more),
      h('p', { class: 'foot-note' }, count));

    const seen = new Set();
    let shown = 0;
    const add = (list, where) => {
      const rows = [];
      for (const t of list) {
        if (seen.has(t.seq)) continue;
        seen.add(t.seq);
        rows.push(transferRow(t, where === 'top'));
      }
      if (!rows.length) return;
      const empty = tbody.querySelector('.empty-row');
      if (empty) empty.remove();
      if (where === 'top') tbody.prepend(...rows); else tbody.append(...rows);
      shown += rows.length;
      count.textContent = `${fmtInt(shown)} shown`;
    };

    // Live entries that match the filters go on top (the stream delivers them oldest first).
    view.onTransfer = (t) => { if (transferMatches(t, filters)) add([t], 'top'); };

    const params = new URLSearchParams({ order: 'desc', limit: '100' });
    for (const k of TRANSFER_FILTERS) if (filters[k]) params.set(k, filters[k]);

    const loadPage = async (path) => {
      fill(more, loadingEl());
      try {
        const data = await api(path);
        const list = data.transfers || [];
        add(list, 'bottom');
        // Older pages: the server's cursor, or one made from the oldest seq shown.
        let next = typeof data.next === 'string' && data.next.startsWith('/v1/transfers') ? data.next : null;
        if (!next && data.next !== null && list.length >= 100) {
          const p = new URLSearchParams(params);
          p.set('before', String(list[list.length - 1].seq));
          next = `/v1/transfers?${p}`;
        }
        fill(more, next
          ? h('button', { type: 'button', class: 'btn', testid: 'load-older', onclick: () => loadPage(next) }, 'Load older')
          : h('span', { class: 'muted' }, shown ? 'Start of the log.' : ''));
        if (!shown) fill(tbody, emptyRow(11, 'No transfers match these filters yet.'));
      } catch (err) {
        fill(more, errorBox(err));
      }
      tableNode.setAttribute('aria-busy', 'false');
      tableNode.setAttribute('data-loaded', 'true');
    };
    loadPage(`/v1/transfers?${params}`);

    const ov = await ensureOverview();
    if (!view.alive) return;
    fill(filterBar, ...transferFilterFields(filters, ov));
  }

  function transferFilterFields(filters, ov) {
    const memberCodes = ((ov && ov.members) || []).map((m) => [m.code, `${m.code} — ${m.name}`]);
    const recipients = ((ov && ov.recipients) || []).map((r) => [r.name, r.name]);
    // A value in the URL that the lists do not know is kept, so the filter stays visible.
    const withCurrent = (list, value) => (value && !list.some(([v]) => v === value) ? [...list, [value, value]] : list);
    const change = (key) => (ev) => {
      const next = { ...filters, [key]: ev.target.value };
      const p = new URLSearchParams();
      for (const k of TRANSFER_FILTERS) if (next[k]) p.set(k, next[k]);
      location.hash = `#/transfers${p.toString() ? `?${p}` : ''}`;
    };
    const field = (label, key, options) => h('label', { class: 'field' }, h('span', null, label),
      selectEl({ name: key, testid: `filter-${key}`, onchange: change(key) }, options, filters[key]));
    const any = Object.values(filters).some(Boolean);
    return [
      field('Direction', 'direction', [['', 'Both'], ['in', 'In (from members)'], ['out', 'Out (to recipients)']]),
      field('Member', 'member', [['', 'All members'], ...withCurrent(memberCodes, filters.member)]),
      field('Recipient', 'recipient', [['', 'All recipients'], ...withCurrent(recipients, filters.recipient)]),
      field('Status', 'status', [['', 'Any status'], ...withCurrent(TRANSFER_STATUSES.map((x) => [x, x]), filters.status)]),
      any ? link('transfers', { class: 'clear-filters' }, 'Clear filters') : null,
    ];
  }

  // ============================================================ Submission

  async function renderSubmission(view, root, id) {
    root.append(pageHead('Submission', h('span', { class: 'mono' }, id)));
    const body = h('div', { class: 'view-body' }, loadingEl());
    root.append(body);
    let sub;
    try {
      sub = await api(`/v1/submissions/${enc(id)}`);
    } catch (err) {
      fill(body, errorBox(err, err.status === 404 ? 'No such submission' : 'Could not load the submission'));
      return;
    }
    root.querySelector('.page-actions').append(badge(sub.status, TONES[sub.status], { testid: 'submission-status', class: 'badge-lg' }));

    const tbody = h('tbody');
    const byColumn = new Map(); // source column -> count, over the errors loaded so far
    const summary = h('div', { class: 'chips' });
    const more = h('div', { class: 'more' });
    let loaded = 0;
    const addErrors = (errors) => {
      for (const e of errors) {
        tbody.append(errorRow(e));
        const key = e.source_field || e.field || '(no column)';
        byColumn.set(key, (byColumn.get(key) || 0) + 1);
      }
      loaded += errors.length;
      fill(summary, ...[...byColumn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([col, n]) =>
        h('span', { class: 'chip', title: `Errors in the column “${col}” among those loaded` }, h('span', null, col), h('span', { class: 'chip-count' }, fmtInt(n)))));
    };
    const setMore = (next) => {
      const ok = typeof next === 'string' && next.startsWith('/v1/submissions/');
      fill(more, ok
        ? h('button', { type: 'button', class: 'btn', testid: 'load-more-errors', onclick: () => loadMore(next) }, 'Load more errors')
        : h('span', { class: 'muted' }, loaded ? `All ${fmtInt(loaded)} loaded.` : ''));
    };
    const loadMore = async (path) => {
      fill(more, loadingEl());
      try {
        const data = await api(path);
        addErrors(data.errors || []);
        setMore(data.next);
      } catch (err) {
        fill(more, errorBox(err, 'Could not load more errors'));
      }
    };

    addErrors(sub.errors || []);
    if (!loaded) tbody.append(emptyRow(5, 'No row of this submission was rejected.'));
    setMore(sub.next_errors);

    const rejected = sub.records_rejected || 0;
    fill(body, 
      sub.reason ? h('div', { class: ['cause', sub.status === 'rejected' ? 'tone-bad' : 'tone-warn'], testid: 'submission-reason' },
        h('span', { class: 'cause-label' }, sub.status === 'rejected' ? 'Rejected' : 'Note'), h('span', { class: 'cause-text' }, sub.reason)) : null,
      panel('Details', null, factList([
        ['Member', h('span', null, link(`transfers?member=${enc(sub.member)}`, null, sub.member_name || sub.member), ' ', h('span', { class: 'mono muted' }, sub.member))],
        ['Received', timeEl(sub.received_at)],
        ['File', sub.filename ? h('span', { class: 'mono' }, sub.filename) : h('span', { class: 'muted' }, 'not named')],
        ['Size', fmtBytes(sub.bytes)],
        ['Records accepted', h('span', { class: 'num tone-text-ok' }, fmtInt(sub.records_accepted))],
        ['Records rejected', h('span', { class: ['num', rejected ? 'tone-text-bad' : 'muted'] }, fmtInt(rejected))],
      ])),
      panel('Rejected rows', { extra: h('span', { class: 'muted' }, 'as the member’s file names them') },
        byColumn.size ? h('div', { class: 'chips-row' }, h('span', { class: 'muted small' }, 'By column: '), summary) : null,
        tableEl({ testid: 'submission-errors', class: 'table-errors' },
          [{ label: 'Column in the member’s file', class: 'col-source' }, 'Common-schema field', 'Value', 'Problem', 'Where'], tbody),
        more));
  }

  function errorRow(e) {
    const value = e.value == null || e.value === ''
      ? h('span', { class: 'muted' }, '(empty)')
      : h('code', { class: 'value clip', title: String(e.value) }, String(e.value));
    return h('tr', { testid: 'error-row', 'data-seq': e.seq },
      h('td', { class: 'col-source' }, e.source_field ? h('strong', null, e.source_field) : h('span', { class: 'muted' }, '—')),
      h('td', null, e.field ? h('span', { class: 'mono' }, e.field) : h('span', { class: 'muted' }, '—')),
      h('td', null, value),
      h('td', null, h('span', null, e.message || ''), e.code ? h('span', { class: 'mono muted small code-tag' }, e.code) : null),
      h('td', { class: 'muted' }, e.locator || '—'));
  }

  // ============================================================ Deliveries

  const DELIVERY_STATES = [['', 'Any state'], ['pending', 'Pending'], ['delivered', 'Delivered'], ['failed', 'Failed']];

  async function renderDeliveries(view, root, query) {
    const filters = { recipient: query.get('recipient') || '', state: query.get('state') || '' };
    const tbody = h('tbody', null, h('tr', null, h('td', { colspan: 8 }, loadingEl())));
    const filterBar = h('form', { class: 'filters', onsubmit: (ev) => ev.preventDefault() });
    root.append(
      pageHead('Deliveries', 'The outbox: consolidated, signed payloads and their delivery to each recipient.', refreshButton(route)),
      filterBar,
      panel(null, { class: 'panel-flush' }, tableEl({ testid: 'deliveries-table', class: 'table-deliveries' },
        ['Delivery', 'Recipient', 'State', 'Created', { label: 'Attempts', class: 'num' }, 'Next / delivered', 'Period', 'Cause'], tbody)));
    const consolidations = h('div');
    root.append(consolidations);

    const params = new URLSearchParams({ limit: '100' });
    if (filters.recipient) params.set('recipient', filters.recipient);
    if (filters.state) params.set('state', filters.state);
    api(`/v1/deliveries?${params}`).then((data) => {
      const list = data.deliveries || [];
      fill(tbody, ...(list.length ? list.map(deliveryRow) : [emptyRow(8, 'No deliveries match these filters.')]));
    }).catch((err) => fill(tbody, h('tr', null, h('td', { colspan: 8 }, errorBox(err)))));

    const ov = await ensureOverview();
    if (!view.alive) return;
    const recipients = ((ov && ov.recipients) || []).map((r) => r.name);
    const change = (key) => (ev) => {
      const next = { ...filters, [key]: ev.target.value };
      const p = new URLSearchParams();
      if (next.recipient) p.set('recipient', next.recipient);
      if (next.state) p.set('state', next.state);
      location.hash = `#/deliveries${p.toString() ? `?${p}` : ''}`;
    };
    const recipientOptions = recipients.map((r) => [r, r]);
    if (filters.recipient && !recipients.includes(filters.recipient)) recipientOptions.push([filters.recipient, filters.recipient]);
    fill(filterBar, 
      h('label', { class: 'field' }, h('span', null, 'Recipient'), selectEl({ name: 'recipient', testid: 'filter-recipient', onchange: change('recipient') }, [['', 'All recipients'], ...recipientOptions], filters.recipient)),
      h('label', { class: 'field' }, h('span', null, 'State'), selectEl({ name: 'state', testid: 'filter-state', onchange: change('state') }, DELIVERY_STATES, filters.state)),
      filters.recipient || filters.state ? link('deliveries', { class: 'clear-filters' }, 'Clear filters') : null);
    consolidations.append(consolidationsPanel(view, recipients));
  }

  function deliveryRow(d) {
    const cause = d.failure_reason || d.last_error;
    const when = d.state === 'delivered' ? timeEl(d.delivered_at) : d.state === 'pending' ? timeEl(d.due_at, 'now') : h('span', { class: 'muted' }, '—');
    const period = d.metadata && d.metadata.period;
    return clickableRow(h('tr', { testid: 'delivery-row', 'data-delivery': d.delivery_id, 'data-state': d.state, class: d.state === 'failed' ? 'row-bad' : null },
      h('td', null, link(`deliveries/${enc(d.delivery_id)}`, { class: 'mono id', title: d.delivery_id }, d.delivery_id)),
      h('td', { class: 'mono' }, d.recipient),
      h('td', null, badge(d.state)),
      h('td', null, timeEl(d.created_at)),
      h('td', { class: 'num' }, fmtInt(d.attempts)),
      h('td', null, when),
      h('td', { class: 'mono small' }, period ? String(period) : '—'),
      h('td', { class: 'cell-error' }, cause ? clipped(cause, d.state === 'failed' ? 'tone-text-bad' : 'tone-text-warn') : '')),
    `deliveries/${enc(d.delivery_id)}`);
  }

  // ------------------------------------------------------------ consolidations

  function consolidationsPanel(view, recipients) {
    const tbody = h('tbody', null, h('tr', null, h('td', { colspan: 7 }, loadingEl())));
    const jobs = tableEl({ testid: 'consolidations-table' }, ['Job', 'Recipient', 'Period', 'State', 'Requested', 'Finished', 'Delivery'], tbody);

    let polling = false;
    const load = async () => {
      try {
        const data = await api('/v1/consolidations?limit=20');
        const list = data.consolidations || [];
        fill(tbody, ...(list.length ? list.map(consolidationRow) : [emptyRow(7, 'No consolidation has been asked for since the gateway started.')]));
        // While a job waits or runs, look again every 3 s.
        const busy = list.some((c) => c.state === 'queued' || c.state === 'running');
        if (busy && !polling) { polling = true; view.later(() => { polling = false; load(); }, 3000); }
      } catch (err) {
        fill(tbody, h('tr', null, h('td', { colspan: 7 }, errorBox(err))));
      }
    };
    load();

    return panel('Consolidations', { extra: h('span', { class: 'muted' }, 'one payload per recipient and period; jobs are kept in memory') },
      canAct() ? consolidateForm(recipients, load) : h('p', { class: 'muted small pad' }, 'Operators and admins can ask for a consolidation here.'),
      jobs);
  }

  function consolidateForm(recipients, onDone) {
    const boxes = recipients.map((name) => h('input', { type: 'checkbox', name: 'recipients', value: name, checked: true }));
    const period = h('input', { type: 'text', name: 'period', value: npmYear(), pattern: '\\d{4}-\\d{2}-\\d{2}\\.\\.\\d{4}-\\d{2}-\\d{2}', title: 'FIRST..LAST, two ISO days, e.g. 2024-04-01..2025-03-31', size: 24, spellcheck: 'false', testid: 'consolidate-period' });
    const button = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'consolidate-button' }, 'Consolidate');
    const form = h('form', { class: 'consolidate', testid: 'consolidate-form' },
      h('fieldset', { class: 'field' }, h('legend', null, 'Recipients'),
        h('div', { class: 'checks' }, recipients.length
          ? boxes.map((box) => h('label', { class: 'check' }, box, h('span', { class: 'mono' }, box.value)))
          : h('span', { class: 'muted' }, 'none known; all configured'))),
      h('label', { class: 'field' }, h('span', null, 'Period (NPM year by default)'), period),
      button);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
      if (recipients.length && !chosen.length) { toast('Choose at least one recipient.', 'warn'); return; }
      if (!/^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/.test(period.value.trim())) {
        toast('The period is two ISO days, FIRST..LAST (2024-04-01..2025-03-31).', 'warn');
        return;
      }
      const body = { period: period.value.trim() };
      if (chosen.length) body.recipients = chosen;
      button.disabled = true;
      try {
        const data = await api('/v1/consolidations', { method: 'POST', body });
        const n = (data.consolidations || []).length;
        toast(`Consolidation queued: ${n} job${n === 1 ? '' : 's'} (${body.period}).`, 'ok');
        onDone();
      } catch (err) {
        reportError(err, 'Could not consolidate');
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  function consolidationRow(c) {
    return h('tr', { testid: 'consolidation-row', 'data-consolidation': c.consolidation_id, 'data-state': c.state },
      h('td', null, shortId(c.consolidation_id)),
      h('td', { class: 'mono' }, c.recipient),
      h('td', { class: 'mono small' }, c.period),
      h('td', null, badge(c.state), c.error ? h('span', { class: 'tone-text-bad small' }, ' ', c.error) : null),
      h('td', null, timeEl(c.requested_at), h('span', { class: 'muted small' }, ` by ${c.requested_by || '?'}`)),
      h('td', null, timeEl(c.finished_at)),
      h('td', null, c.delivery_id ? link(`deliveries/${enc(c.delivery_id)}`, { class: 'mono id', title: c.delivery_id }, c.delivery_id) : h('span', { class: 'muted' }, '—')));
  }

  // ============================================================ Delivery

  async function renderDelivery(view, root, id) {
    const body = h('div', null, loadingEl());
    root.append(body);
    let data;
    try {
      data = await api(`/v1/deliveries/${enc(id)}`);
    } catch (err) {
      root.prepend(pageHead('Delivery', h('span', { class: 'mono' }, id)));
      fill(body, errorBox(err, err.status === 404 ? 'No such delivery' : 'Could not load the delivery'));
      return;
    }
    const notice = h('div', { class: 'notice-slot' });
    const draw = () => {
      const [head, ...rest] = deliveryPage(data, requeue);
      fill(root, head, notice, rest);
    };
    // The re-queued delivery is rendered from the gateway's answer; attempts made since come
    // with the next load (the live notice below offers it) rather than flipping the page.
    let requeuedAt = 0;
    const requeue = async (button) => {
      button.disabled = true;
      requeuedAt = Date.now();
      try {
        const d = await api(`/v1/deliveries/${enc(id)}/requeue`, { method: 'POST', body: {} });
        data = { ...data, delivery: d && d.delivery_id ? d : { ...data.delivery, state: 'pending' } };
        toast('Re-queued: the delivery is pending and due now.', 'ok');
        draw();
        refreshOverview().catch(() => {});
      } catch (err) {
        button.disabled = false;
        if (err.code === 'not_failed') {
          toast('This delivery is no longer failed; showing its current state.', 'warn');
          route();
        } else {
          reportError(err, 'Could not re-queue');
        }
      }
    };
    draw();
    view.onTransfer = (t) => {
      if (t.delivery_id !== id || notice.firstChild) return;
      if (t.status === 'requeued' && Date.now() - requeuedAt < 10000) return; // our own click
      notice.append(h('div', { class: 'live-notice', role: 'status', testid: 'delivery-updated' },
        `The transfer log has a new entry for this delivery: ${t.status}${t.error ? ` (${t.error})` : ''}. `,
        h('button', { type: 'button', class: 'btn btn-small', onclick: route }, 'Reload the delivery')));
    };
  }

  function deliveryPage(data, requeue) {
    const d = data.delivery;
    const cause = d.failure_reason || d.last_error;
    const meta = d.metadata && typeof d.metadata === 'object' ? d.metadata : null;
    const attempts = data.attempts || [];
    const button = canAct() && d.state === 'failed'
      ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'requeue-button', onclick: (ev) => requeue(ev.currentTarget), title: 'Make it pending again, due now, with the same delivery id' }, 'Re-queue')
      : null;

    const attemptRows = h('tbody', null, attempts.length ? attempts.map((a, i) => h('tr', { testid: 'attempt-row', class: a.error ? 'row-bad' : null },
      h('td', { class: 'num muted' }, i + 1),
      h('td', null, timeEl(a.time)),
      h('td', { class: 'num' }, a.http_status == null ? h('span', { class: 'muted' }, 'no answer') : a.http_status),
      h('td', { class: 'num muted' }, fmtDuration(a.duration_ms)),
      h('td', { class: 'cell-wrap' }, a.error ? h('span', { class: 'tone-text-bad' }, a.error) : h('span', { class: 'muted' }, '—'))))
      : [emptyRow(5, 'No attempt yet.')]);

    return [
      pageHead(h('span', null, 'Delivery ', h('span', { class: 'mono title-id' }, d.delivery_id)),
        h('span', null, 'to ', h('strong', { class: 'mono' }, d.recipient), meta && meta.period ? ` · period ${meta.period}` : ''),
        badge(d.state, TONES[d.state], { testid: 'delivery-state', class: 'badge-lg' }), button),
      cause ? h('div', { class: ['cause', d.state === 'failed' ? 'tone-bad' : 'tone-warn'], testid: 'delivery-failure', role: d.state === 'failed' ? 'alert' : null },
        h('span', { class: 'cause-label' }, d.state === 'failed' ? (d.failure_reason ? 'Failed for good' : 'Failed') : 'Last attempt failed'),
        h('span', { class: 'cause-text' }, cause),
        d.failure_reason && d.last_error && d.last_error !== d.failure_reason ? h('span', { class: 'cause-more' }, 'Last error: ', d.last_error) : null)
        : null,
      h('div', { class: 'grid-2' },
        panel('Delivery', null, factList([
          ['Recipient', h('span', { class: 'mono' }, d.recipient)],
          ['Created', timeEl(d.created_at)],
          d.state === 'pending' ? ['Next attempt', timeEl(d.due_at, 'now')] : null,
          ['Delivered', timeEl(d.delivered_at, 'not yet')],
          ['Attempts', fmtInt(d.attempts)],
        ])),
        panel('Payload', null, factList([
          ['Content type', h('span', { class: 'mono' }, (d.payload && d.payload.content_type) || '—')],
          ['Size', fmtBytes(d.payload && d.payload.size)],
          ['SHA-256', h('span', { class: 'mono hash' }, (d.payload && d.payload.sha256) || '—')],
          ...(meta ? Object.entries(meta).filter(([k]) => k !== 'payload_sha256' && k !== 'recipient')
            .map(([k, v]) => [k.replace(/_/g, ' '), h('span', { class: 'mono' }, typeof v === 'object' ? JSON.stringify(v) : String(v))]) : []),
        ]))),
      panel('Attempts', { extra: h('span', { class: 'muted' }, `${attempts.length} recorded`) },
        tableEl({ testid: 'attempts-table' }, [{ label: '#', class: 'num' }, 'Time', { label: 'HTTP', class: 'num' }, { label: 'Took', class: 'num' }, 'Error'], attemptRows)),
      data.receipt ? panel('Receipt', { extra: h('span', { class: 'muted' }, 'as the recipient sent it; its signature was checked') },
        h('pre', { class: 'receipt', testid: 'receipt' }, prettyJson(data.receipt))) : null,
    ];
  }

  function prettyJson(text) {
    if (typeof text !== 'string') return JSON.stringify(text, null, 2);
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (err) { return text; }
  }

  // ============================================================ Alerts

  function renderAlerts(view, root) {
    const active = h('div', null, loadingEl());
    const recent = h('div', null, loadingEl());
    root.append(
      pageHead('Alerts', 'Raised by the gateway’s minute clock: failed deliveries, overdue members, an ageing outbox.', refreshButton(route)),
      panel('Active', { testid: 'alerts-active' }, active),
      panel('Recent', { testid: 'alerts-recent', extra: h('span', { class: 'muted' }, 'the last 100, raised and cleared') }, recent));
    const table = (list, emptyText) => tableEl({ class: 'table-alerts' }, ['Kind', 'Subject', 'Message', 'Raised', 'Cleared'],
      h('tbody', null, list.length ? list.map((a) => h('tr', { testid: 'alert-row', 'data-kind': a.kind, class: a.cleared_at ? 'row-muted' : null },
        h('td', null, badge(a.kind.replace(/_/g, ' '), a.cleared_at ? 'neutral' : TONES[a.kind] || 'warn')),
        h('td', null, alertSubject(a)),
        h('td', { class: 'cell-wrap' }, a.message),
        h('td', null, timeEl(a.raised_at)),
        h('td', null, a.cleared_at ? timeEl(a.cleared_at) : badge('active', 'warn')))) : [emptyRow(5, emptyText)]));
    api('/v1/alerts?active=true').then((d) => {
      const list = d.alerts || [];
      setNavBadge('alerts', list.length, 'warn');
      fill(active, table(list, 'No active alert. All clear.'));
    }).catch((err) => fill(active, errorBox(err)));
    api('/v1/alerts?active=false&limit=100').then((d) => fill(recent, table(d.alerts || [], 'No alert has been raised.')))
      .catch((err) => fill(recent, errorBox(err)));
  }

  // ============================================================ Operators

  function renderOperators(view, root) {
    root.append(pageHead('Operators', 'Who may sign in to this console, and with which role.'));
    if (!isAdmin()) {
      root.append(h('div', { class: 'error-box' }, 'Only admins manage operators.'));
      return;
    }
    const list = h('div', null, loadingEl());
    const load = () => api('/v1/operators').then((d) => fill(list, operatorsTable(d.operators || [], load)))
      .catch((err) => fill(list, errorBox(err)));
    root.append(h('div', { class: 'grid-operators' },
      panel('Accounts', { testid: 'operators-list' }, list),
      panel('Add an operator', null, addOperatorForm(load))));
    load();
  }

  function operatorsTable(operators, reload) {
    const tbody = h('tbody', null, operators.length ? operators.map((op) => h('tr', { testid: 'operator-row', 'data-operator': op.name, class: op.disabled ? 'row-muted' : null },
      h('td', null, h('span', { class: 'mono' }, op.name)),
      h('td', null, op.display_name || ''),
      h('td', null, badge(op.role, op.role === 'viewer' ? 'neutral' : 'info')),
      h('td', null, timeEl(op.created_at), op.created_by ? h('span', { class: 'muted small' }, ` by ${op.created_by}`) : null),
      h('td', null, op.disabled ? badge('disabled', 'bad') : badge('active', 'ok')),
      h('td', { class: 'actions-cell' }, op.disabled || op.name === state.session.operator ? null : disableButton(op, reload))))
      : [emptyRow(6, 'No operator accounts.')]);
    return tableEl({ testid: 'operators-table' }, ['Name', 'Display name', 'Role', 'Created', 'Status', ''], tbody);
  }

  // Two steps instead of confirm(): the first click arms the button for five seconds.
  function disableButton(op, reload) {
    let armed = false;
    const button = h('button', { type: 'button', class: 'btn btn-small', testid: 'disable-operator' }, 'Disable');
    button.addEventListener('click', async () => {
      if (!armed) {
        armed = true;
        button.textContent = `Disable ${op.name}?`;
        button.classList.add('btn-danger');
        setTimeout(() => { armed = false; button.textContent = 'Disable'; button.classList.remove('btn-danger'); }, 5000);
        return;
      }
      button.disabled = true;
      try {
        await api(`/v1/operators/${enc(op.name)}`, { method: 'DELETE' });
        toast(`${op.name} is disabled and signed out.`, 'ok');
        reload();
      } catch (err) {
        button.disabled = false;
        reportError(err, 'Could not disable');
      }
    });
    return button;
  }

  function addOperatorForm(reload) {
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const input = (name, label, props) => h('label', { class: 'field field-block' }, h('span', null, label), h('input', { name, required: true, ...props }));
    const form = h('form', { class: 'stack', testid: 'add-operator-form' },
      input('name', 'Name (sign-in)', { autocomplete: 'off', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9._-]{0,63}', title: 'lower-case letters, digits, dot, dash, underscore' }),
      input('display_name', 'Display name', { autocomplete: 'off' }),
      h('label', { class: 'field field-block' }, h('span', null, 'Role'), selectEl({ name: 'role' }, [['viewer', 'viewer — reads everything'], ['operator', 'operator — also consolidates and re-queues'], ['admin', 'admin — also manages operators']], 'viewer')),
      input('password', 'Initial password (at least 12 characters)', { type: 'password', minlength: 12, autocomplete: 'new-password' }),
      error,
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add operator'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      const f = new FormData(form);
      const body = { name: String(f.get('name')).trim(), display_name: String(f.get('display_name')).trim(), role: String(f.get('role')), password: String(f.get('password')) };
      if (!body.name || !body.display_name) { error.textContent = 'Name and display name are needed.'; error.hidden = false; return; }
      if (body.password.length < 12) { error.textContent = 'The password needs at least 12 characters.'; error.hidden = false; return; }
      try {
        await api('/v1/operators', { method: 'POST', body });
        toast(`${body.name} can now sign in as ${body.role}.`, 'ok');
        form.reset();
        reload();
      } catch (err) {
        if (err.status === 401) return;
        error.textContent = err.message;
        error.hidden = false;
      }
    });
    return form;
  }

  // ============================================================ Start

  boot();
})();
