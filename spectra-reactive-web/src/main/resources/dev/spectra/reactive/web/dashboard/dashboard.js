// Spectra's dashboard: reads the API of the mount it is served from. No library, no other origin.
'use strict';
(function () {
  const base = location.pathname.endsWith('/') ? location.pathname : location.pathname + '/';
  const $ = (sel) => document.querySelector(sel);
  const state = { gen: 0, cursors: [null], page: 0, next: null, token: sessionStorage.getItem('spectra-token') || '' };
  let liveAbort = null;
  let refreshTimer = null;

  // ---- formats (the API's values, shown to the cent or finer) ----
  const intFmt = new Intl.NumberFormat('en-US');
  function usd(v) {
    const n = Number(v);
    if (n === 0) return '$0.00';
    const abs = Math.abs(n);
    const digits = abs >= 0.1 ? 2 : 4;
    return (n < 0 ? '-$' : '$') + abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  const int = (v) => v === null || v === undefined ? '–' : intFmt.format(v);
  const ms = (v) => v === null || v === undefined ? '–' : intFmt.format(Math.round(v)) + ' ms';
  const pct = (v) => (Number(v) * 100).toFixed(1) + '%';
  const time = (iso) => iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '–';

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function status(text) { $('#status').textContent = text || ''; }

  // ---- API ----
  function headers() { return state.token ? { Authorization: 'Bearer ' + state.token } : {}; }
  async function api(path, attempt) {
    const res = await fetch(base + path, { headers: headers(), cache: 'no-store' });
    if (res.status === 503 && (attempt || 0) < 3) {     // reads at their limit: wait as told, then again
      const wait = 1000 * (Number(res.headers.get('Retry-After')) || 1);
      await new Promise((done) => setTimeout(done, wait));
      return api(path, (attempt || 0) + 1);
    }
    if (res.status === 401) { $('#auth').hidden = false; throw new Error('the API needs a token'); }
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
    return body;
  }

  function filterParams() {
    const p = new URLSearchParams();
    const period = $('#period').value;
    if (period === 'custom') {
      if ($('#from').value) p.set('from', $('#from').value);
      if ($('#to').value) {
        const to = new Date($('#to').value + 'T00:00:00Z');
        to.setUTCDate(to.getUTCDate() + 1);           // the chosen day included
        p.set('to', to.toISOString().slice(0, 10));
      }
    } else {
      p.set('period', period);
    }
    for (const [id, name] of [['#f-provider', 'provider'], ['#f-model', 'model'], ['#f-tag', 'tag'], ['#f-outcome', 'outcome']]) {
      if ($(id).value) p.set(name, $(id).value);
    }
    const meta = $('#f-meta').value.trim();
    if (meta) {
      const eq = meta.indexOf('=');
      if (eq <= 0) throw new Error('metadata filter: key=value');
      p.set('metadata.' + meta.slice(0, eq).trim(), meta.slice(eq + 1).trim());
    }
    return p;
  }
  const withParams = (path, p, extra) => {
    const q = new URLSearchParams(p);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    const s = q.toString();
    return s ? path + '?' + s : path;
  };

  // ---- cards, charts, tables ----
  function setCard(name, text, title) {
    for (const e of document.querySelectorAll('[data-card="' + name + '"]')) { e.textContent = text; if (title) e.title = title; }
  }
  function renderCards(t) {
    setCard('cost', usd(t.cost_usd), '$' + t.cost_usd);
    setCard('requests', int(t.requests));
    setCard('tokens', int(t.total_tokens));
    setCard('input_tokens', int(t.input_tokens));
    setCard('output_tokens', int(t.output_tokens));
    setCard('cached_input_tokens', int(t.cached_input_tokens));
    setCard('reasoning_tokens', int(t.reasoning_tokens));
    setCard('failure_rate', pct(t.failure_rate), t.failed_requests + ' of ' + t.requests);
    setCard('p95_latency', ms(t.p95_latency_ms));
    setCard('unpriced', int(t.unpriced_requests));
  }
  function fillSelect(sel, values) {
    const s = $(sel), keep = s.value;
    while (s.options.length > 1) s.remove(1);
    for (const v of values) s.add(new Option(v, v));
    if (keep && !values.includes(keep)) s.add(new Option(keep, keep));
    s.value = keep;
  }
  function renderTopModels(rows) {
    const body = $('#top-models tbody');
    body.replaceChildren(...rows.slice().sort((a, b) => b.cost_usd - a.cost_usd).slice(0, 10).map((r) =>
      el('tr', null, el('td', { text: r.label }), el('td', { class: 'num', text: int(r.requests) }),
        el('td', { class: 'num', text: int(r.total_tokens) }), el('td', { class: 'num', text: usd(r.cost_usd), title: '$' + r.cost_usd }))));
    if (!rows.length) body.append(el('tr', null, el('td', { colspan: 4, class: 'muted', text: 'No calls in this period.' })));
  }
  function renderTimeChart(data) {
    const box = $('#chart-time'), legend = $('#legend-time');
    const series = data.series || [];
    const days = series.length ? series[0].points.map((p) => p.day) : [];
    const W = Math.max(280, Math.round(box.clientWidth) || 600), H = 200, L = 52, B = 22, T = 8;
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Cost per day' });
    const totals = days.map((_, i) => series.reduce((s, x) => s + Number(x.points[i].cost_usd), 0));
    const max = Math.max(0, ...totals) || 1;
    const bw = (W - L - 8) / Math.max(days.length, 1);
    for (let k = 0; k <= 4; k++) {
      const y = T + (H - T - B) * (1 - k / 4);
      root.append(svg('line', { class: 'axis', x1: L, x2: W - 4, y1: y, y2: y }));
      root.append(svg('text', { x: L - 4, y: y + 3, 'text-anchor': 'end' }, usd(max * k / 4)));
    }
    days.forEach((day, i) => {
      let y = H - B;
      series.forEach((s, j) => {
        const v = Number(s.points[i].cost_usd);
        if (v <= 0) return;
        const h = (H - T - B) * v / max;
        y -= h;
        const r = svg('rect', { class: 's' + Math.min(j, 6), x: L + i * bw + bw * 0.15, y: y, width: Math.max(bw * 0.7, 1), height: Math.max(h, 0.5) });
        r.append(svg('title', {}, `${s.group} · ${day}: ${usd(v)}`));
        root.append(r);
      });
      if (days.length <= 12 || i % Math.ceil(days.length / 8) === 0) {
        root.append(svg('text', { x: L + i * bw + bw / 2, y: H - 6, 'text-anchor': 'middle' }, day.slice(5)));
      }
    });
    if (!days.length) root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'No calls in this period.'));
    box.replaceChildren(root);
    legend.replaceChildren(...series.map((s, j) => el('li', null, el('i', { class: 's' + Math.min(j, 6) }), s.group)));
  }
  function renderMetaCosts(data) {
    const rows = data.groups.slice().sort((a, b) => b.cost_usd - a.cost_usd);
    const max = Math.max(0, ...rows.map((r) => Number(r.cost_usd))) || 1;
    const body = $('#meta-costs tbody');
    body.replaceChildren(...rows.map((r) => {
      const fill = el('div', { class: 'fill' });
      fill.style.width = (100 * Number(r.cost_usd) / max).toFixed(1) + '%';
      return el('tr', null, el('td', { text: r.label }), el('td', { class: 'bar' }, fill),
        el('td', { class: 'num', text: usd(r.cost_usd), title: '$' + r.cost_usd }));
    }));
    if (!rows.length) body.append(el('tr', null, el('td', { class: 'muted', text: 'No calls in this period.' })));
  }
  function renderRequests(page) {
    const body = $('#requests tbody');
    body.replaceChildren(...page.items.map((r) => {
      const tr = el('tr', { tabindex: '0', 'data-id': r.id },
        el('td', { text: time(r.started_at) }), el('td', { text: r.provider }),
        el('td', { text: r.response_model && r.response_model !== r.model ? r.model + ' → ' + r.response_model : r.model }),
        el('td', { class: 'outcome-' + r.outcome, text: r.outcome }),
        el('td', { class: 'num', text: r.usage ? int(r.usage.total_tokens) : '–' }),
        el('td', { class: 'num', text: r.cost ? usd(r.cost.total_usd) : 'unpriced' }),
        el('td', { class: 'num', text: ms(r.latency_ms) }));
      tr.addEventListener('click', () => openDetail(r.id));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') openDetail(r.id); });
      return tr;
    }));
    if (!page.items.length) body.append(el('tr', null, el('td', { colspan: 7, class: 'muted', text: 'No calls match.' })));
    state.next = page.next_cursor;
    $('#next').disabled = !page.next_cursor;
    $('#prev').disabled = state.page === 0;
    $('#page-info').textContent = 'page ' + (state.page + 1);
  }

  // ---- budgets (GET api/budgets, when the application serves it) ----
  const budgetValue = (dimension, v) => dimension === 'USD' ? usd(v) : int(Number(v));
  function periodText(w) {
    if (w.bucket === null || w.bucket === undefined) return 'until ' + time(w.end);
    const hours = (Date.parse(w.end) - Date.parse(w.start)) / 3600000;
    return 'rolling, last ' + (hours % 24 === 0 ? (hours / 24) + (hours === 24 ? ' day' : ' days') : hours + ' h');
  }
  function budgetLine(b, line) {
    const W = 400, H = 22, limit = Number(line.limit), spent = Number(line.spent), reserved = Number(line.reserved);
    const forecast = Number(line.forecast);
    const scale = Math.max(limit, spent + reserved, forecast) || 1;
    const x = (v) => Number((W * v / scale).toFixed(2));
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img',
      'aria-label': `${b.budget} ${line.dimension.toLowerCase()}: ${budgetValue(line.dimension, spent)} of ${budgetValue(line.dimension, limit)}` });
    root.append(svg('rect', { class: 'track', x: 0, y: 4, width: W, height: 14 }));
    root.append(svg('rect', { class: 'spent' + (spent > limit ? ' over' : ''), x: 0, y: 4, width: x(spent), height: 14 }));
    root.append(svg('rect', { class: 'reserved', x: x(spent), y: 4, width: x(reserved), height: 14 }));
    for (const t of b.thresholds || []) {
      const at = x(limit * t / 100);
      const mark = svg('line', { class: 'threshold', 'data-threshold': t, x1: at, x2: at, y1: 0, y2: H });
      mark.append(svg('title', {}, `${t}%: ${budgetValue(line.dimension, limit * t / 100)}`));
      root.append(mark);
    }
    root.append(svg('line', { class: 'forecast', x1: x(forecast), x2: x(forecast), y1: 2, y2: H - 2 }));
    root.append(svg('line', { class: 'limit', x1: x(limit), x2: x(limit), y1: 0, y2: H }));
    const figures = `spent ${budgetValue(line.dimension, spent)} · reserved ${budgetValue(line.dimension, reserved)}`
      + ` · limit ${budgetValue(line.dimension, limit)} · forecast ${budgetValue(line.dimension, forecast)}`;
    return el('div', { class: 'line', 'data-dimension': line.dimension.toLowerCase() },
      el('div', { class: 'figures', text: `${line.dimension.toLowerCase()}: ${figures} (${Number(line.percentUsed).toFixed(1)}%)` }), root);
  }
  async function loadBudgets() {
    if (state.noBudgets) return;
    const res = await fetch(base + 'api/budgets', { headers: headers(), cache: 'no-store' });
    if (res.status === 404) {                       // the application serves no budgets: not asked again
      state.noBudgets = true; $('#budgets').hidden = true; document.body.dataset.budgets = 'none'; return;
    }
    if (!res.ok) throw new Error('budgets: HTTP ' + res.status);
    const statuses = await res.json();
    $('#budgets').hidden = false;
    const list = $('#budget-list');
    list.replaceChildren(...statuses.map((b) => el('div', { class: 'budget', 'data-budget': b.budget, 'data-subject': b.subject },
      el('h3', { text: b.budget + (b.subject ? ' · ' + b.subject : '') }),
      el('div', { class: 'muted figures', text: `${b.hard ? 'hard' : 'soft'} · ${b.scope} · ${periodText(b.window)}` }),
      ...b.lines.map((line) => budgetLine(b, line)))));
    if (!statuses.length) list.append(el('p', { class: 'muted', text: 'No budget has spend in its current period.' }));
    document.body.dataset.budgets = 'ready';
  }

  // ---- detail ----
  function valueCell(v) {
    if (v === null || v === undefined) return el('td', { class: 'muted', text: '–' });
    if (Array.isArray(v)) return el('td', null, ...v.map((x) => el('span', { class: 'chip', text: String(x) })));
    if (typeof v === 'object') return el('td', null, el('pre', { text: JSON.stringify(v, null, 2) }));
    return el('td', { text: String(v) });
  }
  async function openDetail(id) {
    try {
      const r = await api('api/requests/' + encodeURIComponent(id));
      const rows = [];
      for (const [k, v] of Object.entries(r)) {
        if (k === 'metadata') {
          rows.push(el('tr', null, el('td', { text: 'metadata' }), el('td', null, el('pre', { id: 'detail-metadata', text: JSON.stringify(v, null, 2) }))));
        } else if (v && typeof v === 'object' && !Array.isArray(v) && k !== 'tool_call_counts') {
          for (const [k2, v2] of Object.entries(v)) rows.push(el('tr', null, el('td', { text: k + '.' + k2 }), valueCell(v2)));
        } else {
          rows.push(el('tr', { 'data-field': k }, el('td', { text: k }), valueCell(v)));
        }
      }
      $('#detail-title').textContent = r.provider + ' · ' + r.model;
      $('#detail-body').replaceChildren(el('table', null, el('tbody', null, ...rows)));
      const d = $('#detail');
      if (!d.open) d.showModal();
    } catch (e) { status(e.message); }
  }

  // ---- loading ----
  async function loadAll() {
    status('');
    let p;
    try { p = filterParams(); } catch (e) { status(e.message); return; }
    const gen = ++state.gen;                        // a newer load wins over one still running
    const key = $('#meta-key').value.trim() || 'tenant_id';
    try {
      const [stats, time, meta] = await Promise.all([
        api(withParams('api/stats', p)),
        api(withParams('api/costs', p, { groupBy: 'day', stackBy: $('#stack-by').value })),
        api(withParams('api/costs', p, { groupBy: 'metadata.' + key }))]);
      if (gen !== state.gen) return;
      renderCards(stats.totals);
      renderTopModels(stats.by_model);
      renderTimeChart(time);
      renderMetaCosts(meta);
      await loadPage(gen);
      await loadPickers();
      await loadBudgets();
      if (gen !== state.gen) return;
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    } catch (e) { status(e.message); }
  }
  async function loadPage(gen) {
    const p = filterParams();
    const extra = { limit: '20' };
    if (state.cursors[state.page]) extra.cursor = state.cursors[state.page];
    const page = await api(withParams('api/requests', p, extra));
    if (gen === undefined || gen === state.gen) renderRequests(page);
  }
  async function loadPickers() {
    const all = new URLSearchParams({ period: 'all' });
    const stats = await api(withParams('api/stats', all));
    fillSelect('#f-provider', stats.by_provider.map((g) => g.group).filter((g) => g !== null));
    fillSelect('#f-model', stats.by_model.map((g) => g.group).filter((g) => g !== null));
    fillSelect('#f-tag', (await api(withParams('api/tags', all))).map((t) => t.tag));
  }
  function reload() { state.cursors = [null]; state.page = 0; loadAll(); }

  // ---- live feed (fetch, so that the token goes in a header) ----
  async function live() {
    if (liveAbort) liveAbort.abort();
    liveAbort = new AbortController();
    const list = $('#live'), st = $('#live-status');
    try {
      const res = await fetch(base + 'api/events', { headers: headers(), signal: liveAbort.signal });
      if (!res.ok) { st.textContent = res.status === 404 ? 'no live feed' : 'offline (HTTP ' + res.status + ')'; return; }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut); buf = buf.slice(cut + 2);
          let event = 'message', data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).replace(/^ /, '');
          }
          if (event === 'ready') { st.textContent = 'live'; document.body.dataset.live = 'ready'; }
          if (event !== 'record') continue;
          const { record: r, totals: t } = JSON.parse(data);
          const li = el('li', { class: 'fresh', 'data-id': r.id },
            el('span', { class: 'muted', text: time(r.started_at).slice(11) }), el('b', { text: r.provider + ' · ' + r.model }),
            el('span', { class: 'outcome-' + r.outcome, text: r.outcome }),
            el('span', { text: r.cost ? usd(r.cost.total_usd) : 'unpriced' }),
            el('span', { class: 'muted', text: ms(r.latency_ms) }));
          li.addEventListener('click', () => openDetail(r.id));
          list.prepend(li);
          while (list.children.length > 50) list.lastChild.remove();
          $('#live-totals').textContent = `${int(t.requests)} call${t.requests === 1 ? '' : 's'} · ${usd(t.cost_usd)} · ${int(t.total_tokens)} tokens since you opened this page`;
          clearTimeout(refreshTimer);
          refreshTimer = setTimeout(loadAll, 2000);
        }
      }
      st.textContent = 'ended';
    } catch (e) {
      if (e.name !== 'AbortError') { st.textContent = 'offline, retrying'; setTimeout(live, 5000); }
    }
  }

  // ---- wiring ----
  function applyTheme(t) {
    if (t === 'auto') delete document.documentElement.dataset.theme; else document.documentElement.dataset.theme = t;
    $('#theme').textContent = 'Theme: ' + t;
    localStorage.setItem('spectra-theme', t);
  }
  document.addEventListener('DOMContentLoaded', () => {
    applyTheme(localStorage.getItem('spectra-theme') || 'auto');
    $('#theme').addEventListener('click', () => {
      const order = ['auto', 'light', 'dark'];
      applyTheme(order[(order.indexOf(localStorage.getItem('spectra-theme') || 'auto') + 1) % 3]);
    });
    $('#filters').addEventListener('submit', (e) => { e.preventDefault(); reload(); });
    $('#period').addEventListener('change', () => {
      for (const c of document.querySelectorAll('.custom')) c.hidden = $('#period').value !== 'custom';
      if ($('#period').value !== 'custom') reload();
    });
    for (const id of ['#f-provider', '#f-model', '#f-tag', '#f-outcome', '#stack-by']) $(id).addEventListener('change', reload);
    $('#meta-key').addEventListener('change', reload);
    $('#next').addEventListener('click', () => {
      if (!state.next) return;
      state.cursors[state.page + 1] = state.next; state.page++;
      loadPage().catch((e) => status(e.message));
    });
    $('#prev').addEventListener('click', () => {
      if (state.page === 0) return;
      state.page--;
      loadPage().catch((e) => status(e.message));
    });
    $('#detail-close').addEventListener('click', () => $('#detail').close());
    $('#token-save').addEventListener('click', () => {
      state.token = $('#token').value.trim();
      sessionStorage.setItem('spectra-token', state.token);
      $('#auth').hidden = true;
      reload(); live();
    });
    loadAll();
    live();
  });
})();
