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

import { commandLine, fill, runPage } from './browser.mjs';

const VERIFIED = 'Verified';
const GUARDED = 'form:has(.pf-guard)';

function parseArgs(argv) {
	const o = commandLine(argv, 'node flow.mjs back-next|too-fast URL ' +
	    'FIELDS-JSON [--timeout SECONDS]', 3);
	[o.flow, o.url] = o.args;
	if (!['back-next', 'too-fast'].includes(o.flow))
		o.usage();
	return o;
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
	await runPage('flow.mjs', {
		timeout: o.timeout, javaScriptEnabled: o.flow !== 'too-fast',
	}, async (page, errors) => {
		const v = new Visit(page, o.fields);
		try {
			await (o.flow === 'back-next' ? backNext : tooFast)(v, o);
			if (errors.length > 0)
				throw new Error(`the page reported errors: ${errors}`);
		} finally {
			console.log(JSON.stringify({ pages: v.pages }));
		}
	});
}

main();
