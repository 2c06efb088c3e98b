/*
 * consent.js -- the consent manager's snippet for every page of the site
 * (privforms-forms(8), "The consent snippet"; htdocs/snippets/consent.html
 * is the block to paste):
 *
 *	<link rel="stylesheet" href="/privacy/static/consent.css">
 *	<script defer src="/privacy/static/consent.js"></script>
 *
 * It reads the pf_consent cookie (lib/consent.h's contract) and asks
 * PREFIX/consent?version, which the browser keeps for a day, whether the
 * decision names the current notice and is young enough (a cookie for
 * another notice than that copy names asks again past the cache: the
 * notice may have changed since).  If it is, that
 * is all: no request reaches privforms on a page view (the script and
 * its style sheet are cached for a week).  If it is not, it fetches
 * PREFIX/consent?dialog (the categories, the texts, a stamp) and opens a modal
 * <dialog>: Reject all and Accept all side by side, Manage for a toggle
 * per category, the decision POSTed as the consent page's form is, which
 * sets the cookie.  When the browser sends Sec-GPC: 1 (?version says so,
 * its answer kept apart per Sec-GPC value), it POSTs PREFIX/consent?gpc
 * once, unless the cookie already says g=1, and the sale categories stay
 * off until the visitor confirms one.
 *
 *	privforms.consent.has('advertising')	allowed now (required: true)
 *	privforms.consent.open()		the dialog again
 *	'privforms:consent' on document		the decision known at load,
 *						and each change: detail
 *						{categories, gpc, reason}
 *	<script type="text/plain" data-consent="functional">	run (a new
 *						script element) once its
 *						category is allowed, one
 *						added later too
 *	<a href="/privacy/consent" data-consent-open>	opens the dialog
 *
 * Every word the dialog shows is ?dialog's, in the language of the page
 * (its <html lang>, asked for as ?lang=): the script holds no text of
 * its own, and shows nothing where ?dialog gives none.
 *
 * Nothing inline, no eval, every text set as text: it runs under the
 * Content-Security-Policy privforms's own pages send (script-src,
 * style-src and connect-src 'self').  Plain ES2017.
 */
'use strict';

(function () {
	const me = document.currentScript;
	const base = me && me.src ?
	    me.src.replace(/\/static\/consent\.js(?:[?#].*)?$/, '') : '/privacy';
	const endpoint = base + '/consent';
	const EVENT = 'privforms:consent';
	const ID = '[a-z][a-z0-9_-]{0,31}';
	const VALUE = new RegExp('^v=1&d=([A-Za-z0-9_-]{21}[AQgw])' +
	    '&n=([0-9a-f]{16})&c=((?:' + ID + '(?:\\+' + ID + ')*)?)' +
	    '&g=([01])&t=([1-9][0-9]{0,9})$');
	const SKEW = 300;	/* seconds of clock skew, as the server allows */

	const state = {
		info: null,	/* ?version's answer */
		cookie: null,	/* the parsed cookie, or null */
		dialog: null,	/* the <dialog>, once built */
		data: null,	/* ?dialog's answer, for the open dialog */
		confirming: null,	/* the choice that awaits confirmation */
		opener: null,	/* what had focus before the dialog opened */
		busy: false,	/* a choice is being sent */
	};

	/*
	 * The first pf_consent cookie, parsed by the contract, or null; as
	 * the server reads it (consent.h), a cookie without a name (no '=')
	 * is not one.
	 */
	function readCookie() {
		for (const part of document.cookie.split(/;\s*/)) {
			const eq = part.indexOf('=');
			if (eq < 0 || part.slice(0, eq) !== 'pf_consent')
				continue;
			const m = VALUE.exec(part.slice(eq + 1));
			if (!m)
				return null;
			return { device: m[1], version: m[2],
			    cats: m[3] === '' ? [] : m[3].split('+'),
			    gpc: m[4] === '1', t: Number(m[5]) };
		}
		return null;
	}

	/* Does the cookie hold a decision for the current notice, in time? */
	function current() {
		const c = state.cookie, info = state.info;
		const now = Date.now() / 1000;
		return c !== null && info !== null && c.version === info.version &&
		    c.t <= now + SKEW && now - c.t <= info.max_age_days * 86400;
	}

	function has(id) {
		const info = state.info;
		if (info === null)
			return false;
		if (info.required.includes(id))
			return true;
		/* The signal's record not (yet) stored: sale stays off. */
		if (info.gpc && info.sale.includes(id) &&
		    (state.cookie === null || !state.cookie.gpc))
			return false;
		return current() && state.cookie.cats.includes(id);
	}

	function allowed() {
		const info = state.info;
		if (info === null)
			return [];
		const ids = current() ? state.cookie.cats : [];
		return info.required.concat(ids.filter((id) =>
		    !info.required.includes(id) && has(id)));
	}

	const WAITING = 'script[type="text/plain"][data-consent]';

	/* Run each waiting script whose category is allowed now. */
	function activate() {
		const waiting = document.querySelectorAll(WAITING);
		for (const old of waiting) {
			if (!has(old.getAttribute('data-consent')))
				continue;
			const s = document.createElement('script');
			for (const a of old.attributes)
				if (a.name !== 'type')
					s.setAttribute(a.name, a.value);
			if (old.nonce)
				s.nonce = old.nonce;
			if (!old.hasAttribute('src'))
				s.text = old.text;
			old.replaceWith(s);
		}
	}

	/*
	 * A waiting script added to the page later (a tag manager, a page
	 * built by script) runs as soon as it is there, if its category is
	 * allowed then; else it waits like the others.
	 */
	function watch() {
		const added = (n) => n.nodeType === Node.ELEMENT_NODE &&
		    (n.matches(WAITING) || n.querySelector(WAITING) !== null);
		new MutationObserver((records) => {
			if (records.some((r) => Array.from(r.addedNodes).some(added)))
				activate();
		}).observe(document.documentElement,
		    { childList: true, subtree: true });
	}

	function announce(reason) {
		activate();
		document.dispatchEvent(new CustomEvent(EVENT, { detail: {
			categories: allowed(),
			gpc: state.info !== null && state.info.gpc,
			reason: reason } }));
	}

	/*
	 * ?dialog in the page's language: its texts are the company page's
	 * words around it (privforms takes a language it offers, and falls
	 * back to the visitor's browser's otherwise).
	 */
	const lang = document.documentElement.lang;
	const DIALOG = 'dialog' + (lang ? '&lang=' + encodeURIComponent(lang) :
	    '');

	/* GET endpoint?query as JSON; fresh: past the browser's cache. */
	function get(query, fresh) {
		return fetch(endpoint + '?' + query, { credentials: 'same-origin',
		    cache: fresh ? 'no-cache' : 'default' }).then((r) => {
			if (!r.ok)
				throw new Error(query + ': ' + r.status);
			return r.json();
		});
	}

	/* POST body to endpoint + query; resolves to the response. */
	function post(query, body) {
		return fetch(endpoint + query, { method: 'POST', body: body,
		    credentials: 'same-origin', redirect: 'manual' });
	}

	/* The signal's record, once: the cookie then says g=1. */
	function recordGpc() {
		if (!state.info.gpc || (state.cookie !== null && state.cookie.gpc))
			return Promise.resolve(false);
		return post('?gpc', new URLSearchParams()).then((r) => {
			state.cookie = readCookie();
			return r.status === 204;
		}, () => false);
	}

	/* ---- the dialog ---- */

	/* ?dialog's text called name, or none. */
	function text(name) {
		const t = state.data && state.data.texts;
		return t && typeof t[name] === 'string' ? t[name] : '';
	}

	function el(tag, attrs, content) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {}))
			e.setAttribute(k, v);
		if (content !== undefined)
			e.textContent = content;
		return e;
	}

	function button(label, cls, onclick) {
		const b = el('button', { type: 'button', class: 'pf-consent-button ' +
		    cls }, label);
		b.addEventListener('click', onclick);
		return b;
	}

	/*
	 * A category's element ids: prefixes of their own, so that no id of
	 * the company's table makes one the dialog or another row uses.
	 */
	function categoryItem(c, ticked) {
		const id = 'pf-consent-cat-' + c.id;
		const about = el('div', { id: 'pf-consent-about-' + c.id });
		const li = el('li', { class: 'pf-consent-category' });
		const box = el('input', { type: 'checkbox', id: id,
		    'aria-describedby': about.id });
		box.checked = c.required || ticked;
		box.disabled = c.required;
		box.dataset.category = c.id;
		const label = el('label', { for: id }, c.name);
		if (c.required && text('always_on') !== '')
			label.append(el('span', { class: 'pf-consent-always' },
			    ' ' + text('always_on')));
		about.append(el('p', {}, c.description),
		    el('p', {}, c.cookies_text || ''));
		li.append(box, label, about);
		return li;
	}

	function build(data) {
		const d = el('dialog', { class: 'pf-consent',
		    'aria-labelledby': 'pf-consent-title',
		    'aria-describedby': 'pf-consent-intro' });
		const title = el('h2', { id: 'pf-consent-title', tabindex: '-1' },
		    text('title'));
		const intro = el('p', { id: 'pf-consent-intro' }, text('intro'));
		const gpc = el('p', { class: 'pf-consent-gpc', role: 'status' });
		gpc.append(el('strong', {}, text('gpc_title')), ' ' + text('gpc'));
		gpc.hidden = !data.gpc;
		const confirm = el('p', { class: 'pf-consent-confirm',
		    role: 'alert' });
		confirm.hidden = true;
		const status = el('p', { class: 'pf-consent-status',
		    role: 'status' });
		const choices = el('div', { class: 'pf-consent-choices' });
		choices.append(button(text('reject'), '', () => decide('reject')),
		    button(text('accept'), '', () => decide('accept')));
		const panel = el('div', { id: 'pf-consent-manage',
		    class: 'pf-consent-manage' });
		panel.hidden = true;
		const list = el('ul', { class: 'pf-consent-categories' });
		const ticked = current() ? state.cookie.cats : [];
		for (const c of data.categories)
			list.append(categoryItem(c, ticked.includes(c.id) &&
			    has(c.id)));
		panel.append(list, button(text('save'), '', () =>
		    decide('save')));
		const manage = button(text('manage'), 'pf-consent-link', () => {
			panel.hidden = !panel.hidden;
			manage.setAttribute('aria-expanded', String(!panel.hidden));
		});
		manage.setAttribute('aria-expanded', 'false');
		manage.setAttribute('aria-controls', 'pf-consent-manage');
		const more = el('p', { class: 'pf-consent-more' });
		more.append(el('a', { href: endpoint +
		    (lang ? '?lang=' + encodeURIComponent(lang) : '') },
		    text('more')));
		d.append(title, intro, gpc, choices, manage, panel, confirm,
		    status, more);
		d.addEventListener('close', closed);
		return d;
	}

	function closed() {
		state.confirming = null;
		if (state.opener && document.contains(state.opener))
			state.opener.focus();
		state.opener = null;
	}

	function say(cls, text) {
		state.dialog.querySelector('.' + cls).textContent = text;
	}

	/* The categories a choice allows, from the dialog's toggles. */
	function chosen(choice) {
		const cats = state.data.categories;
		if (choice === 'accept')
			return cats.map((c) => c.id);
		if (choice === 'reject')
			return cats.filter((c) => c.required).map((c) => c.id);
		return Array.from(state.dialog.querySelectorAll(
		    'input[data-category]:checked'), (b) => b.dataset.category);
	}

	/*
	 * Post the choice as the consent page's form does.  Under the signal
	 * a choice that allows a sale category is confirmed first: the same
	 * button pressed again, as on the page without JavaScript.
	 */
	function decide(choice) {
		const ids = chosen(choice);
		const sale = ids.some((id) => state.info.sale.includes(id));
		const confirm = state.dialog.querySelector('.pf-consent-confirm');
		if (state.info.gpc && sale && state.confirming !== choice) {
			state.confirming = choice;
			confirm.textContent = text('confirm');
			confirm.hidden = false;
			return;
		}
		const body = new URLSearchParams({ choice: choice,
		    pf_stamp: state.data.stamp });
		if (choice === 'save')
			for (const id of ids)
				body.append('allow-' + id, 'yes');
		if (state.info.gpc && sale)
			body.append('confirm', 'yes');
		if (state.busy)
			return;	/* one choice at a time: pressed twice, sent once */
		state.busy = true;
		say('pf-consent-status', text('saving'));
		post('', body).then((r) => {
			state.busy = false;
			state.cookie = readCookie();
			if (r.type !== 'opaqueredirect' || !current())
				throw new Error('not saved: ' + r.status);
			confirm.hidden = true;
			say('pf-consent-status', '');
			state.dialog.close();
			announce('change');
		}).catch(() => {
			state.busy = false;
			say('pf-consent-status', text('failed'));
			/* A new stamp for the next try. */
			get(DIALOG).then((data) => { state.data.stamp = data.stamp; },
			    () => {});
		});
	}

	function open() {
		state.opener = document.activeElement;
		return get(DIALOG).then((data) => {
			state.data = data;
			state.info = Object.assign({}, state.info || {}, data);
			return recordGpc();
		}).then(() => {
			if (state.dialog)
				state.dialog.remove();
			state.dialog = build(state.data);
			document.body.append(state.dialog);
			state.dialog.showModal();
			state.dialog.querySelector('#pf-consent-title').focus();
		});
	}

	function start() {
		state.cookie = readCookie();
		get('version').then((info) => {
			/*
			 * The browser keeps ?version a day: a decision for
			 * another notice may be for a newer one than that
			 * copy names (the notice was edited, and the visitor
			 * decided since).  Ask privforms itself, which also
			 * renews the copy.
			 */
			if (state.cookie !== null &&
			    state.cookie.version !== info.version)
				return get('version', true);
			return info;
		}).then((info) => {
			state.info = info;
			if (current())
				return recordGpc().then(() => announce('load'));
			return open().then(() => announce('load'));
		}).catch(() => {
			/* privforms unreachable: nothing allowed but required. */
		});
		watch();
		document.addEventListener('click', (e) => {
			const a = e.target.closest && e.target.closest(
			    '[data-consent-open]');
			if (a) {
				e.preventDefault();
				open();
			}
		});
	}

	window.privforms = window.privforms || {};
	window.privforms.consent = { has: has, open: open };
	start();
})();
