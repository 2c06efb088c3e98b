// browser.mjs -- what the scripts here share: Debian's chromium, headless
// and driven by playwright-core, launched the same way each time.
//
//   CHROMIUM, ARGS        the browser to run and its switches
//   commandLine(...)      ... URL FIELDS-JSON [--timeout SECONDS]
//   fill(form, fields)    a form's fields filled in
//   runPage(name, o, use) one page in a fresh profile; exits the process
//   axe(page)             axe-core's violations of WCAG 2.0-2.2 A and AA

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Quiet and self-contained: no sandbox (tests may run as root, in
// containers), no GPU, no QUIC, no calls home, no updates, no sync.
export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];

// The command line of a script that fills a form: n words, the last a
// JSON object of fields (o.fields), all in o.args; --timeout SECONDS
// (o.timeout, default 60); each of switches ('--early', say) present or
// not (o.early true or undefined).  Anything else, or o.usage(): the
// usage line on stderr, and exit 2.
export function commandLine(argv, usageLine, n, switches = []) {
	const o = { timeout: 60, args: [] };
	o.usage = () => {
		console.error(`usage: ${usageLine}`);
		process.exit(2);
	};
	for (let i = 0; i < argv.length; i++) {
		if (switches.includes(argv[i]))
			o[argv[i].slice(2)] = true;
		else if (argv[i] === '--timeout' && i + 1 < argv.length)
			o.timeout = Number(argv[++i]);
		else
			o.args.push(argv[i]);
	}
	if (o.args.length !== n || !(o.timeout > 0))
		o.usage();
	try {
		o.fields = JSON.parse(o.args[n - 1]);
	} catch (e) {
		o.usage();
	}
	return o;
}

// Set a field as a script would: no focus, no input event.
function setQuietly(e, value) {
	if (e.type === 'radio' || e.type === 'checkbox')
		e.checked = true;
	else
		e.value = value;
}

// Fill the form (a locator) with fields, name -> value: a radio button or
// checkbox, the value to check; a select, the option's value; anything
// else, the text to type.  quiet: set each as a script would instead.
export async function fill(form, fields, quiet = false) {
	for (const [name, value] of Object.entries(fields)) {
		const all = form.locator(`[name="${name}"]`);
		if (await all.count() === 0)
			throw new Error(`no field named ${name}`);
		const tag = await all.first().evaluate((e) => e.tagName);
		const type = await all.first().getAttribute('type');
		const check = type === 'radio' || type === 'checkbox';
		const one = check ? form.locator(`[name="${name}"][value="${value}"]`)
		    : all.first();
		if (quiet)
			await one.evaluate(setQuietly, String(value));
		else if (check)
			await one.check();
		else if (tag === 'SELECT')
			await one.selectOption(String(value));
		else
			await one.fill(String(value));
	}
}

// Open one page in a fresh chromium profile (a temporary directory,
// removed after) and await use(page, errors); errors collects what the
// page threw and what its Content-Security-Policy refused, for use to
// judge.  o.timeout (seconds) bounds each step and the whole run: past
// it the process exits 3, saying so with o.timedOut()'s words after.
// o.javaScriptEnabled (default true) is the browser's switch.  The
// process then exits 0 if use resolved, else 1 with `NAME: why` on stderr.
export async function runPage(name, o, use) {
	const detail = o.timedOut || (() => '');
	const timer = setTimeout(() => {
		console.error(`${name}: timed out after ${o.timeout} s${detail()}`);
		process.exit(3);
	}, o.timeout * 1000);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'privforms-chromium-'));
	let ctx = null;
	let rc = 1;
	try {
		ctx = await chromium.launchPersistentContext(dir, {
			executablePath: CHROMIUM, headless: true, args: ARGS,
			timeout: o.timeout * 1000,
			javaScriptEnabled: o.javaScriptEnabled !== false,
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
		await use(page, errors);
		rc = 0;
	} catch (e) {
		console.error(`${name}: ${e.message}`);
	} finally {
		if (ctx)
			await ctx.close().catch(() => {});
		fs.rmSync(dir, { recursive: true, force: true });
		clearTimeout(timer);
	}
	process.exit(rc);
}

// axe-core (injected through DevTools: the page's CSP does not apply)
// on the page as it is now: its violations, each with the nodes.
export async function axe(page) {
	await page.evaluate(AXE);
	return page.evaluate(async (tags) => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: tags },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({ id: v.id, impact: v.impact,
		    help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
	}, WCAG);
}

