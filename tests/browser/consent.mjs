// consent.mjs -- the consent snippet (htdocs/static/consent.js) on a page
// of the company's site, in Debian's chromium, headless, driven by
// playwright-core (tests/integration/test_browser.py runs it and judges
// what it reports).
//
//   node tests/browser/consent.mjs FLOW URL LOGDIR [--gpc VALUE] [--width N]
//
// URL is the example page (htdocs/snippets/consent.html) as nginx serves
// it; LOGDIR holds nginx's access logs, which say whether a page view
// reached privforms.  FLOW is one of
//
//   reject    the dialog, axe-core with it open; Reject all; axe-core with
//             it closed; the page again (reload), then a visit: no dialog,
//             no request under /privacy/; then Cookie settings, Accept
//             all: the advertising script runs at once, the event fires
//   accept    Accept all: the advertising script runs
//   gpc       the dialog (with the signal's line); Accept all once, which
//             only asks to confirm; then Reject all; then the page again
//   confirm   with the signal: Manage, tick advertising, Save choices
//             (asks), Save choices again: stored, and the script runs
//   late      data-consent scripts added to the page after load: under
//             Reject all an advertising one waits (a required one added
//             after it runs), after Accept all a functional one runs
//   stale     the dialog, Escape; then, once the notice has changed
//             (--wait DIR: DIR/ready written, DIR/go awaited), the page
//             again with ?version as the browser kept it: the dialog,
//             Reject all; then the page again: no dialog
//   labels    the dialog, Manage: axe-core, and how many checkboxes each
//             category's name labels (--names, a JSON list)
//   nameless  a cookie without a name whose value starts pf_consent (a
//             page's script set it), then Reject all; then the page again
//   keyboard  the keyboard alone: Tab stays in the dialog, Escape closes
//             it without a choice, the Cookie settings link reopens it,
//             Manage, a toggle, Save choices
//
// --gpc sends Sec-GPC: VALUE on every request; --timeout SECONDS bounds the
// run (90); --width sets the viewport
// (320: the narrowest phone WCAG's reflow criterion names).  Its answer
// (stdout, JSON): what each step saw.  Exit 0, or 1 with why on stderr.

import fs from 'node:fs';
import path from 'node:path';
import { axe, runPage } from './browser.mjs';


const [flow, url, logdir] = process.argv.slice(2, 5);
const opt = (name, dflt) => {
	const i = process.argv.indexOf(name);
	return i > 0 ? process.argv[i + 1] : dflt;
};
const gpc = opt('--gpc', null);
const width = Number(opt('--width', '1024'));
if (!flow || !url || !logdir) {
	console.error('usage: consent.mjs FLOW URL LOGDIR [--gpc V] [--width N]');
	process.exit(2);
}

// The requests under /privacy/ nginx has logged so far.
function privformsHits() {
	let n = 0;
	for (const f of ['access.log', 'privforms-access.log']) {
		const p = path.join(logdir, f);
		if (fs.existsSync(p))
			n += fs.readFileSync(p, 'utf8').split('\n')
			    .filter((l) => l.includes(' /privacy/')).length;
	}
	return n;
}

// What the page shows and ran.
function seen() {
	const d = document.querySelector('dialog.pf-consent');
	const gpcLine = d && d.querySelector('.pf-consent-gpc');
	const confirm = d && d.querySelector('.pf-consent-confirm');
	const a = document.activeElement;
	return {
		dialogOpen: !!(d && d.open),
		gpcShown: !!(gpcLine && !gpcLine.hidden),
		gpcText: gpcLine ? gpcLine.textContent : null,
		confirmShown: !!(confirm && !confirm.hidden),
		advertising: document.documentElement.getAttribute(
		    'data-advertising-ran'),
		functional: document.documentElement.getAttribute(
		    'data-functional-ran'),
		functionalSrc: document.documentElement.getAttribute(
		    'data-functional-src-ran'),
		state: document.getElementById('consent-state').textContent,
		events: window.consentEvents || [],
		has: window.privforms ? {
			required: window.privforms.consent.has('required'),
			functional: window.privforms.consent.has('functional'),
			advertising: window.privforms.consent.has('advertising'),
		} : null,
		cookie: document.cookie,
		focus: a ? { tag: a.tagName.toLowerCase(), id: a.id,
		    text: (a.textContent || '').trim().slice(0, 40),
		    inDialog: !!(d && d.contains(a)) } : null,
		width: { scroll: document.documentElement.scrollWidth,
		    inner: innerWidth, dialog: d ? d.scrollWidth : 0,
		    dialogBox: d ? d.getBoundingClientRect().width : 0 },
		choices: d ? [...d.querySelectorAll('.pf-consent-choices button')]
		    .map((b) => { const r = b.getBoundingClientRect();
			return { text: b.textContent, top: r.top, left: r.left,
			    width: r.width, height: r.height }; }) : [],
	};
}

// Record every privforms:consent event from the start of each page.
function listen() {
	window.consentEvents = [];
	document.addEventListener('privforms:consent', (e) => {
		window.consentEvents.push(e.detail);
	});
}

async function settled(page, what) {
	await page.waitForFunction((w) => {
		const d = document.querySelector('dialog.pf-consent');
		const ev = window.consentEvents || [];
		if (w === 'dialog')
			return d && d.open;
		if (w === 'closed')
			return !d || !d.open;
		if (w === 'asked')	/* to confirm a sale category */
			return d && !d.querySelector('.pf-consent-confirm').hidden;
		return ev.length > 0;	/* 'event': the decision known */
	}, what);
}

async function choose(page, text) {
	await page.getByRole('button', { name: text, exact: true }).click();
}

// Do what, wait until the page is so (settled's words: 'dialog', 'closed',
// 'asked' or 'event'), and keep what it then shows as out[key].
async function step(page, out, key, what, until) {
	await what();
	await settled(page, until);
	out[key] = await page.evaluate(seen);
}

/*
 * Add a waiting script of category id to the page (unless add is false:
 * one added before), which marks data-late-ID when it runs; if wait, wait
 * until it has (15 s at most): its mark, or null.
 */
async function addLate(page, id, wait, add = true) {
	if (add)
		await page.evaluate((c) => {
			const s = document.createElement('script');
			s.type = 'text/plain';
			s.setAttribute('data-consent', c);
			s.text = 'document.documentElement.setAttribute(' +
			    `'data-late-${c}', 'ran');`;
			document.body.append(s);
		}, id);
	if (wait)
		await page.waitForFunction((c) => document.documentElement
		    .hasAttribute('data-late-' + c), id, { timeout: 15000 })
		    .catch(() => {});
	return page.evaluate((c) => document.documentElement.getAttribute(
	    'data-late-' + c), id);
}

/* Write dir/ready, then wait for dir/go (the test's turn: 60 s at most). */
async function handOver(dir) {
	fs.writeFileSync(path.join(dir, 'ready'), '');
	for (let i = 0; i < 600 && !fs.existsSync(path.join(dir, 'go')); i++)
		await new Promise((r) => setTimeout(r, 100));
	if (!fs.existsSync(path.join(dir, 'go')))
		throw new Error(`no ${dir}/go within 60 s`);
}

/* Choose text, kept as out[key]; then the page again, as out.reloaded. */
async function chosenThenAgain(page, out, key, text) {
	await step(page, out, key, () => choose(page, text), 'closed');
	await step(page, out, 'reloaded', () => page.reload(), 'event');
}

const flows = {
	async reject(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		out.axeOpen = await axe(page);
		await step(page, out, 'rejected', () => choose(page, 'Reject all'),
		    'closed');
		out.axeClosed = await axe(page);
		const before = privformsHits();
		await step(page, out, 'reloaded', () => page.reload(), 'event');
		await step(page, out, 'visited', () => page.goto(url), 'event');
		out.hitsOnReload = privformsHits() - before;
		await step(page, out, 'settings', () => page.getByRole('link',
		    { name: 'Cookie settings' }).click(), 'dialog');
		await choose(page, 'Accept all');
		await settled(page, 'closed');
		await page.waitForFunction(() =>
		    document.documentElement.hasAttribute('data-advertising-ran'));
		out.changed = await page.evaluate(seen);
	},
	async accept(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		await chosenThenAgain(page, out, 'accepted', 'Accept all');
	},
	async gpc(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		await step(page, out, 'asked', () => choose(page, 'Accept all'),
		    'asked');
		await chosenThenAgain(page, out, 'rejected', 'Reject all');
	},
	async confirm(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		await choose(page, 'Manage');
		await page.getByLabel('Advertising cookies').check();
		await step(page, out, 'asked', () => choose(page, 'Save choices'),
		    'asked');
		await step(page, out, 'confirmed', () =>
		    choose(page, 'Save choices'), 'closed');
		await page.waitForFunction(() =>
		    document.documentElement.hasAttribute('data-advertising-ran'));
		out.ran = await page.evaluate(seen);
	},
	async late(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		await step(page, out, 'rejected', () => choose(page, 'Reject all'),
		    'closed');
		out.lateRejected = {
			advertising: await addLate(page, 'advertising', false),
			required: await addLate(page, 'required', true),
		};
		// Still waiting when the required one, added after it, ran?
		out.lateRejected.advertising = await page.evaluate(() =>
		    document.documentElement.getAttribute('data-late-advertising'));
		await step(page, out, 'settings', () => page.getByRole('link',
		    { name: 'Cookie settings' }).click(), 'dialog');
		await step(page, out, 'accepted', () => choose(page, 'Accept all'),
		    'closed');
		out.lateAccepted = {
			advertising: await addLate(page, 'advertising', true,
			    false),
			functional: await addLate(page, 'functional', true),
		};
	},
	async stale(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		await page.keyboard.press('Escape');
		await settled(page, 'closed');
		await handOver(opt('--wait', null));
		await step(page, out, 'edited', () => page.goto(url), 'dialog');
		await chosenThenAgain(page, out, 'rejected', 'Reject all');
	},
	async labels(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		await choose(page, 'Manage');
		out.axeManage = await axe(page);
		out.labelled = {};
		for (const name of JSON.parse(opt('--names', '[]')))
			out.labelled[name] = await page.getByRole('checkbox',
			    { name: name, exact: true }).count();
	},
	async nameless(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		await page.evaluate(() => { document.cookie = 'pf_consentx'; });
		await chosenThenAgain(page, out, 'rejected', 'Reject all');
	},
	async keyboard(page, out) {
		await step(page, out, 'open', () => page.goto(url), 'dialog');
		// Tab round the dialog: focus never leaves it.
		out.stops = [];
		for (let i = 0; i < 12; i++) {
			await page.keyboard.press('Tab');
			out.stops.push((await page.evaluate(seen)).focus);
		}
		await page.keyboard.press('Escape');
		await settled(page, 'closed');
		out.escaped = await page.evaluate(seen);
		// The Cookie settings link, with the keyboard.
		await page.focus('[data-consent-open]');
		await page.keyboard.press('Enter');
		await settled(page, 'dialog');
		out.reopened = await page.evaluate(seen);
		const tabTo = async (label) => {
			for (let i = 0; i < 20; i++) {
				await page.keyboard.press('Tab');
				const f = (await page.evaluate(seen)).focus;
				if (f && (f.text === label || f.id === label))
					return;
			}
			throw new Error(`Tab never reached ${label}`);
		};
		await tabTo('Manage');
		await page.keyboard.press('Enter');
		await tabTo('pf-consent-cat-functional');
		await page.keyboard.press('Space');
		await tabTo('Save choices');
		await page.keyboard.press('Enter');
		await settled(page, 'closed');
		await page.waitForFunction(() =>
		    document.documentElement.hasAttribute('data-functional-ran') &&
		    document.documentElement.hasAttribute(
		    'data-functional-src-ran'));
		out.saved = await page.evaluate(seen);
	},
};

if (!flows[flow]) {
	console.error(`consent.mjs: no flow ${flow}`);
	process.exit(2);
}
const out = {};
await runPage(`consent.mjs ${flow}`, { timeout: Number(opt('--timeout', '90')),
    timedOut: () => ` (${JSON.stringify(out).slice(0, 400)})` },
    async (page, errors) => {
	await page.setViewportSize({ width: width, height: 700 });
	// Chromium refuses (net::ERR_INVALID_ARGUMENT) a subresource
	// request with an extra Sec-GPC header of any value but 1, so that
	// one goes through a route (which turns the HTTP cache off, which
	// the flows run with it do not need).
	if (gpc === '1')
		await page.context().setExtraHTTPHeaders({ 'Sec-GPC': gpc });
	else if (gpc !== null)
		await page.route('**/*', (r) => r.continue({ headers: {
		    ...r.request().headers(), 'sec-gpc': gpc } }));
	await page.addInitScript(listen);
	await flows[flow](page, out);
	out.errors = errors;
	console.log(JSON.stringify(out));
});
