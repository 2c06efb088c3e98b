// flow.mjs -- walk a privforms form the way a visitor does, in Debian's
// chromium, headless, driven by playwright-core (tests/integration/
// test_browser.py runs it), and report every page it lands on.
//
//   node tests/browser/flow.mjs FLOW URL FIELDS [--timeout SECONDS]
//
// FIELDS is a JSON object of name -> value, filled into the first form
// that holds a .pf-guard block (a radio button or checkbox: the value to
// check; a select: the option's value; anything else: the text to type).
// FLOW is one of:
//
//   back-next	JavaScript on: fill step 1 of the feedback form at URL,
//		press Next once the widget says "Verified", then Back on
//		step 2, then Next at once on the step 1 that Back showed.
//   too-fast	JavaScript off: fill the form at URL and press its submit
//		button at once, as autofill and Enter would.
//
// It prints, as JSON, {pages: [...]}: for the first page and each page a
// press led to, its URL, the HTTP status of its navigation, the h1, the
// step line (".step"), the notice above the form when it is shown, the
// form's pf_stamp and the current value of every field named in FIELDS.
// It exits non-zero (with a message on stderr) if a page threw, the
// Content-Security-Policy refused something, or it all took longer than
// the timeout (default 60 seconds).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const VERIFIED = 'Verified';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// As submit.mjs: quiet and self-contained.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];
const GUARDED = 'form:has(.pf-guard)';

function usage() {
	console.error('usage: node flow.mjs back-next|too-fast URL FIELDS-JSON ' +
	    '[--timeout SECONDS]');
	process.exit(2);
}

function parseArgs(argv) {
	const o = { timeout: 60 };
	const rest = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--timeout' && i + 1 < argv.length)
			o.timeout = Number(argv[++i]);
		else
			rest.push(argv[i]);
	}
	if (rest.length !== 3 || !(o.timeout > 0) ||
	    !['back-next', 'too-fast'].includes(rest[0]))
		usage();
	[o.flow, o.url] = rest;
	try {
		o.fields = JSON.parse(rest[2]);
	} catch (e) {
		usage();
	}
	return o;
}

async function fill(form, fields) {
	for (const [name, value] of Object.entries(fields)) {
		const all = form.locator(`[name="${name}"]`);
		if (await all.count() === 0)
			throw new Error(`no field named ${name}`);
		const tag = await all.first().evaluate((e) => e.tagName);
		const type = await all.first().getAttribute('type');
		if (type === 'radio' || type === 'checkbox')
			await form.locator(`[name="${name}"][value="${value}"]`).check();
		else if (tag === 'SELECT')
			await all.first().selectOption(String(value));
		else
			await all.first().fill(String(value));
	}
}

// What a page shows, in the page (no script of the page's is needed).
function describe(names) {
	const text = (sel) => {
		const e = document.querySelector(sel);
		return e && !e.hidden ? e.textContent.trim() : null;
	};
	const values = {};
	for (const name of names) {
		const checked = document.querySelector(`[name="${name}"]:checked`);
		const e = checked || document.querySelector(
		    `[name="${name}"]:not([type="radio"]):not([type="checkbox"])`);
		values[name] = e ? e.value : null;
	}
	const stamp = document.querySelector('[name="pf_stamp"]');
	return { h1: text('h1'), step: text('.step'), notice: text('#notice'),
	    stamp: stamp ? stamp.value : null, values };
}

class Visit {
	constructor(page, fields) {
		this.page = page;
		this.names = Object.keys(fields);
		this.pages = [];
		this.status = null;
		page.on('response', (r) => {
			if (r.request().isNavigationRequest() &&
			    r.frame() === page.mainFrame())
				this.status = r.status();
		});
	}

	async record() {
		const d = await this.page.evaluate(describe, this.names);
		this.pages.push({ url: this.page.url(), status: this.status, ...d });
	}

	async open(url) {
		const first = await this.page.goto(url, { waitUntil: 'load' });
		if (!first)
			throw new Error(`GET ${url}: no answer`);
		await this.record();
	}

	// Press the button sel finds and record the page it leads to.
	async press(sel) {
		const nav = this.page.waitForEvent('framenavigated',
		    (f) => f === this.page.mainFrame());
		await this.page.locator(sel).first().click({ noWaitAfter: true });
		await nav;
		await this.page.waitForLoadState('load');
		await this.record();
	}
}

// Resolves once the status line of the guarded form says "Verified".
async function verified(page) {
	await page.locator(`${GUARDED} .pf-guard-status`)
	    .filter({ hasText: VERIFIED }).first().waitFor();
}

async function backNext(v, o) {
	await v.open(o.url);
	await fill(v.page.locator(GUARDED).first(), o.fields);
	await verified(v.page);
	await v.press(`${GUARDED} [type="submit"]`);
	await v.press('button[name="action"][value="back"]');
	// At once: the widget holds the press until it has its proof.
	await v.press(`${GUARDED} [type="submit"]`);
}

async function tooFast(v, o) {
	await v.open(o.url);
	await fill(v.page.locator(GUARDED).first(), o.fields);
	await v.press(`${GUARDED} [type="submit"]`);
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const timer = setTimeout(() => {
		console.error(`flow.mjs: timed out after ${o.timeout} s`);
		process.exit(3);
	}, o.timeout * 1000);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'privforms-chromium-'));
	let ctx = null;
	let v = null;
	let rc = 1;
	try {
		ctx = await chromium.launchPersistentContext(dir, {
			executablePath: CHROMIUM, headless: true, args: ARGS,
			timeout: o.timeout * 1000,
			javaScriptEnabled: o.flow !== 'too-fast',
		});
		ctx.setDefaultTimeout(o.timeout * 1000);
		const page = ctx.pages()[0] || await ctx.newPage();
		const errors = [];
		page.on('pageerror', (e) => errors.push(String(e)));
		page.on('console', (m) => {
			if (m.type() === 'error' &&
			    /Content.Security.Policy|Refused/i.test(m.text()))
				errors.push(m.text());
		});
		v = new Visit(page, o.fields);
		await (o.flow === 'back-next' ? backNext : tooFast)(v, o);
		if (errors.length > 0)
			throw new Error(`the page reported errors: ${errors}`);
		rc = 0;
	} catch (e) {
		console.error(`flow.mjs: ${e.message}`);
	} finally {
		if (v)
			console.log(JSON.stringify({ pages: v.pages }));
		if (ctx)
			await ctx.close().catch(() => {});
		fs.rmSync(dir, { recursive: true, force: true });
		clearTimeout(timer);
	}
	process.exit(rc);
}

main();
