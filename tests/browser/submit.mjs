// submit.mjs -- send one privforms form from a real browser: Debian's
// chromium, headless, driven by playwright-core (tests/integration/
// test_browser.py runs it).
//
//   node tests/browser/submit.mjs URL FIELDS [--early] [--timeout SECONDS]
//
// Opens URL, fills the guarded form (the first form with a .pf-guard
// block) with FIELDS, a JSON object of name -> value (a radio button or
// checkbox: the value to check; a select: the option's value; anything
// else: the text to type), and watches the widget's status line
// (htdocs/static/guard.js).  It waits for "Verified", then presses the
// form's submit button.  With --early it sets the fields without the
// events typing makes and presses at once: the press is the first the
// widget sees of the form, so it must hold the submit while it fetches
// and solves the challenge, and until the page's data-wait.  Once the
// answer has loaded it prints, as JSON, the final URL, the status of the
// last page loaded, the page's h1 and the states the status line showed.
// It exits non-zero (with a message on stderr) if anything fails: the
// widget never said "Verifying you are not a robot…" and then "Verified",
// the page threw, the Content-Security-Policy refused something, or it all
// took longer than the timeout (default 60 seconds).

import { commandLine, fill, runPage } from './browser.mjs';

const SOLVING = 'Verifying you are not a robot\u2026';
const VERIFIED = 'Verified';

function parseArgs(argv) {
	const o = commandLine(argv, 'node submit.mjs URL FIELDS-JSON [--early] ' +
	    '[--timeout SECONDS]', 2, ['--early']);
	o.early = o.early === true;
	o.url = o.args[0];
	return o;
}

// Report every text the status line shows to pfNote (main() exposes
// it), from before the first interaction: a fast solve shows
// "Verifying…" for a few milliseconds only, and with --early the page is
// gone before it could be asked.  Runs in the page, through DevTools (the
// page's CSP does not apply there).
function watchStatus(sel) {
	const p = document.querySelector(sel + ' .pf-guard-status');
	if (!p)
		return false;
	let last = '';
	const note = () => {
		const t = p.textContent;
		if (t !== '' && t !== last)
			window.pfNote(t);
		last = t;
	};
	new MutationObserver(note).observe(p,
	    { childList: true, characterData: true, subtree: true });
	note();
	return true;
}

async function run(o, page, errors, seen) {
	let lastStatus = null;
	page.on('response', (r) => {
		if (r.request().isNavigationRequest() &&
		    r.frame() === page.mainFrame())
			lastStatus = r.status();
	});
	const first = await page.goto(o.url, { waitUntil: 'load' });
	if (!first || !first.ok())
		throw new Error(`GET ${o.url}: ${first ? first.status() : 'no answer'}`);
	const sel = 'form:has(.pf-guard)';
	const form = page.locator(sel).first();
	if (!await page.evaluate(watchStatus, sel))
		throw new Error('no guarded form (.pf-guard-status) on the page');
	await fill(form, o.fields, o.early);
	if (!o.early)
		await seen.verified;
	const nav = page.waitForEvent('framenavigated',
	    (f) => f === page.mainFrame());
	await form.locator('[type="submit"]').first().click({ noWaitAfter: true });
	await nav;
	await page.waitForLoadState('load');
	const h1 = page.locator('h1').first();
	const out = {
		url: page.url(),
		status: lastStatus,
		h1: await h1.count() ? (await h1.textContent()).trim() : null,
		states: seen.list,
		errors: errors,
	};
	const i = seen.list.indexOf(SOLVING);
	if (i < 0 || seen.list.indexOf(VERIFIED, i + 1) < 0)
		throw Object.assign(new Error(`status line showed ${JSON.stringify(seen.list)}, ` +
		    `not "${SOLVING}" then "${VERIFIED}"`), { out });
	if (errors.length > 0)
		throw Object.assign(new Error('the page reported errors'), { out });
	return out;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const seen = { list: [] };
	await runPage('submit.mjs', {
		timeout: o.timeout,
		timedOut: () => '; the status line showed ' +
		    JSON.stringify(seen.list),
	}, async (page, errors) => {
		let verified;
		seen.verified = new Promise((r) => { verified = r; });
		await page.exposeFunction('pfNote', (t) => {
			seen.list.push(t);
			if (t === VERIFIED)
				verified();
		});
		try {
			console.log(JSON.stringify(await run(o, page, errors, seen)));
		} catch (e) {
			if (e.out)
				console.log(JSON.stringify(e.out));
			throw e;
		}
	});
}

main();
