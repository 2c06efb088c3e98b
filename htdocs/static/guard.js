/*
 * guard.js -- privforms' proof-of-work widget (lib/guard.h, lib/pow.h).
 *
 * For every form that holds a .pf-guard block (htdocs/guard.xhtml), fetch
 * a challenge from the form's own path + "/challenge", find the number
 * that solves it with WebCrypto, and post the answer in a hidden "altcha"
 * field, in the format of ALTCHA's v1 widget.  Nothing here is required:
 * without JavaScript, or when solving fails, the form is sent as it is and
 * the server decides what a submission without a proof gets.
 *
 * What it says comes from the page: each state's words are a hidden
 * paragraph of the block (.pf-guard-text, data-state), translated with
 * the template, so the script holds no text of its own.
 *
 * Plain ES2017 in one file, no build step, no dependency, nothing inline:
 * the pages' Content-Security-Policy allows scripts, fetches and workers
 * from 'self' only.  The same file is the Web Worker that does the work,
 * so the page stays responsive while a slow phone spends its seconds.
 */
'use strict';

/*
 * Try salt + 0, 1, ... maxnumber until SHA-256 gives challenge.  Digests
 * are asked for in batches of batch: crypto.subtle answers
 * asynchronously, and many requests in flight cost far less than one
 * round trip each.  pause runs between batches (the main thread's
 * fallback yields there).  The number, or -1 when none up to maxnumber
 * solves it.
 */
async function pfSolve(c, batch, pause) {
	const enc = new TextEncoder();
	const want = new Uint8Array(32);
	for (let i = 0; i < 32; i++)
		want[i] = parseInt(c.challenge.substr(2 * i, 2), 16);
	const same = (buf) => {
		const got = new Uint8Array(buf);
		for (let i = 0; i < 32; i++)
			if (got[i] !== want[i])
				return false;
		return true;
	};
	for (let start = 0; start <= c.maxnumber; start += batch) {
		const end = Math.min(start + batch - 1, c.maxnumber);
		const jobs = [];
		for (let n = start; n <= end; n++)
			jobs.push(crypto.subtle.digest('SHA-256',
			    enc.encode(c.salt + n)));
		const hashes = await Promise.all(jobs);
		for (let i = 0; i < hashes.length; i++)
			if (same(hashes[i]))
				return start + i;
		if (pause)
			await pause();
	}
	return -1;
}

/*
 * As a worker (there is no document): solve what the page posts, answer
 * {number} or {error}.  Each worker solves one challenge and is ended.
 */
if (typeof document === 'undefined' && typeof importScripts === 'function') {
	self.onmessage = (ev) => {
		pfSolve(ev.data, 1000, null).then(
		    (number) => self.postMessage({ number: number }),
		    (err) => self.postMessage({ error: String(err) }));
	};
} else {
	pfGuardPage();
}

function pfGuardPage() {
	/* Solve again this long before the challenge expires. */
	const EXPIRY_MARGIN_MS = 30 * 1000;
	/*
	 * Give up after this long (a fetch that never answers, a worker that
	 * dies without a word): a held submit is then sent without a proof,
	 * and the server decides, rather than the form freezing for good.
	 */
	const SOLVE_LIMIT_MS = 30 * 1000;
	/* The highest maxnumber pow.h allows: refuse to loop longer. */
	const MAX_NUMBER = 10000000;

	const script = document.getElementById('pf-guard-script') ||
	    document.currentScript;
	if (!script)
		return;
	const workerUrl = script.src;
	/*
	 * The server stamps each form with when it was shown and takes a
	 * submission sooner than a person could type for a script's; so that
	 * a quick person with JavaScript is never taken for one, a submit is
	 * held until data-wait seconds after this script ran.
	 */
	const wait = Math.max(0, Number(script.getAttribute('data-wait')) || 0);
	const readyAt = performance.now() + wait * 1000;

	/* Ask a worker; reject if one cannot be started or fails. */
	function solveInWorker(c) {
		return new Promise((resolve, reject) => {
			let w;
			try {
				w = new Worker(workerUrl);
			} catch (e) {
				reject(e);
				return;
			}
			w.onmessage = (ev) => {
				w.terminate();
				if (typeof ev.data.number === 'number')
					resolve(ev.data.number);
				else
					reject(new Error(ev.data.error));
			};
			/* CSP, a missing file, no WebCrypto in workers. */
			w.onerror = (ev) => {
				ev.preventDefault();
				w.terminate();
				reject(new Error('worker failed'));
			};
			w.postMessage({ challenge: c.challenge, salt: c.salt,
			    maxnumber: c.maxnumber });
		});
	}

	/*
	 * Without a worker: the same in smaller batches, yielding to the page
	 * between them, so that typing and scrolling go on.
	 */
	function solveHere(c) {
		return pfSolve(c, 250, () => new Promise((r) => setTimeout(r, 0)));
	}

	/* The challenge's expiry in ms, from the "?expires=" its salt carries. */
	function expiresOf(salt) {
		const m = /[?&]expires=(\d+)/.exec(salt);
		return m ? Number(m[1]) * 1000 : Infinity;
	}

	function isChallenge(c) {
		return c && c.algorithm === 'SHA-256' &&
		    /^[0-9a-f]{64}$/.test(c.challenge) &&
		    typeof c.salt === 'string' &&
		    typeof c.signature === 'string' &&
		    Number.isInteger(c.maxnumber) &&
		    c.maxnumber >= 0 && c.maxnumber <= MAX_NUMBER;
	}

	async function fetchChallenge(url) {
		const r = await fetch(url, { cache: 'no-store',
		    credentials: 'same-origin',
		    headers: { Accept: 'application/json' } });
		if (!r.ok)
			throw new Error('challenge: HTTP ' + r.status);
		const c = await r.json();
		if (!isChallenge(c))
			throw new Error('challenge: not a SHA-256 challenge');
		return c;
	}

	/* What ALTCHA's widget posts (less its "took"), members in its order. */
	function payloadOf(c, number) {
		return btoa(JSON.stringify({ algorithm: c.algorithm,
		    challenge: c.challenge, number: number, salt: c.salt,
		    signature: c.signature }));
	}

	function Guard(form, block) {
		this.form = form;
		this.status = block.querySelector('.pf-guard-status');
		this.block = block;
		/* The form's path, its query dropped: "?check" is one program. */
		const action = new URL(form.getAttribute('action') || '',
		    document.baseURI);
		this.url = action.pathname.replace(/\/$/, '') + '/challenge';
		this.state = 'idle';	/* solving, solved or failed */
		this.run = 0;		/* which solve is current */
		this.job = null;	/* its promise: true solved, false failed */
		this.expires = 0;	/* the solution's challenge's, in ms */
		this.held = null;	/* a held submit: { submitter } */
		this.releasing = false;
		/* Take the status line's room now (see privforms.css). */
		this.say('idle');
	}

	/*
	 * What the status line says in state: the block's hidden paragraph
	 * for it (guard.xhtml), in the page's language; none: nothing.
	 */
	Guard.prototype.textOf = function (state) {
		const p = this.block.querySelector(
		    '.pf-guard-text[data-state="' + state + '"]');
		return p ? p.textContent : '';
	};

	Guard.prototype.say = function (state) {
		if (!this.status)
			return;
		this.status.textContent = state === 'idle' ? '' :
		    this.textOf(state);
		this.status.setAttribute('data-state', state);
	};

	Guard.prototype.setPayload = function (payload) {
		let input = this.form.querySelector(
		    'input[type="hidden"][name="altcha"]');
		if (payload === null) {
			if (input)
				input.remove();
			return;
		}
		if (!input) {
			input = document.createElement('input');
			input.type = 'hidden';
			input.name = 'altcha';
			this.form.appendChild(input);
		}
		input.value = payload;
	};

	/*
	 * A solution still good to send: solved, and its challenge not about
	 * to expire (the server refuses an expired one as no proof at all).
	 */
	Guard.prototype.fresh = function () {
		return this.state === 'solved' &&
		    Date.now() < this.expires - EXPIRY_MARGIN_MS;
	};

	/* Start solving, unless a solve is under way or its answer fresh. */
	Guard.prototype.start = function () {
		if (this.state === 'solving' || this.fresh())
			return this.job;
		const run = ++this.run;
		this.state = 'solving';
		this.setPayload(null);
		this.say('solving');
		const limit = new Promise((resolve, reject) => setTimeout(() =>
		    reject(new Error('no answer in time')), SOLVE_LIMIT_MS));
		this.job = Promise.race([this.solve(), limit]).then((r) => {
			if (run !== this.run)
				return false;	/* reset meanwhile */
			this.state = 'solved';
			this.expires = expiresOf(r.c.salt);
			this.setPayload(payloadOf(r.c, r.number));
			this.say('verified');
			return true;
		}, () => {
			if (run !== this.run)
				return false;
			this.state = 'failed';
			this.say('failed');
			return false;
		});
		return this.job;
	};

	Guard.prototype.solve = async function () {
		/* Only https:// pages (and localhost) have it. */
		if (!window.crypto || !crypto.subtle)
			throw new Error('no WebCrypto: not a secure context');
		const c = await fetchChallenge(this.url);
		let number;
		try {
			number = await solveInWorker(c);
		} catch (e) {
			number = await solveHere(c);
		}
		if (number < 0)
			throw new Error('challenge: no solution');
		return { c: c, number: number };
	};

	/*
	 * Forget the solution: the page came back from the back-forward
	 * cache, so the form was probably sent with it, and the server takes
	 * each solution once.  Solve again if solving had begun.
	 */
	Guard.prototype.reset = function () {
		const begun = this.state !== 'idle';
		this.run++;
		this.state = 'idle';
		this.job = null;
		this.held = null;
		this.releasing = false;
		this.setPayload(null);
		this.say('idle');
		if (begun)
			this.start();
	};

	/*
	 * A submit before the solution (or before data-wait) is held, and
	 * sent when both are there; a failed solve sends it without one.
	 */
	Guard.prototype.onSubmit = function (ev) {
		if (this.releasing) {
			this.releasing = false;
			return;
		}
		if (this.fresh() && performance.now() >= readyAt)
			return;
		ev.preventDefault();
		const first = this.held === null;
		this.held = { submitter: ev.submitter || null };
		if (!first)
			return;
		/* After a failure, one more try: the next one may work. */
		const job = this.start();
		const delay = new Promise((r) => setTimeout(r,
		    Math.max(0, readyAt - performance.now())));
		Promise.all([job, delay]).then(() => this.release());
	};

	Guard.prototype.release = function () {
		const held = this.held;
		if (held === null)
			return;		/* reset meanwhile */
		this.held = null;
		this.releasing = true;
		const s = held.submitter;
		if (typeof this.form.requestSubmit === 'function') {
			/* Runs the submit event again, with the button's value. */
			this.form.requestSubmit(s && s.form === this.form ? s :
			    undefined);
			this.releasing = false;
			return;
		}
		/* form.submit() skips the submit event and the button's value. */
		if (s && s.name) {
			const v = document.createElement('input');
			v.type = 'hidden';
			v.name = s.name;
			v.value = s.value;
			this.form.appendChild(v);
		}
		this.releasing = false;
		this.form.submit();
	};

	const guards = [];
	for (const form of document.querySelectorAll('form')) {
		const block = form.querySelector('.pf-guard');
		if (!block)
			continue;
		const g = new Guard(form, block);
		guards.push(g);
		/*
		 * Start on first use, not on load: no work for mere readers.
		 * After a failure only a submit tries again, not every focus.
		 */
		const begin = () => {
			if (g.state !== 'failed')
				g.start();
		};
		form.addEventListener('focusin', begin);
		form.addEventListener('input', begin);
		form.addEventListener('submit', (ev) => g.onSubmit(ev));
	}
	window.addEventListener('pageshow', (ev) => {
		if (ev.persisted)
			guards.forEach((g) => g.reset());
	});
}
