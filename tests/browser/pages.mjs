// pages.mjs -- look at privforms pages in a real browser, the way people
// meet them: Debian's chromium, headless, driven by playwright-core
// (tests/integration/test_browser.py runs it and judges what it reports).
//
//   node tests/browser/pages.mjs < PLAN.json > RESULTS.json
//
// PLAN is a list of visits, each an object:
//
//   url      the page to open
//   width    the viewport's width in CSS pixels (default 1024; 320 is the
//            narrowest phone WCAG's reflow criterion names); height 700
//   js       false: the page's own scripts never run.  Chromium's
//            JavaScript switch would stop axe-core too, so the page's
//            script requests are refused instead; privforms pages have
//            no inline script (their CSP forbids it) and no <noscript>,
//            so that is all JavaScript off changes.  "off" goes further:
//            chromium's switch itself (no axe then).
//   dark     true: the browser prefers a dark colour scheme
//   headers  more request headers the browser sends ({"Sec-GPC": "1"})
//   type     [[selector, text], ...]: Tab to each field, type the text
//   submit   a form (CSS selector) to send with the keyboard alone: Tab
//            until its submit button has focus, then Enter; the page it
//            answers with is the one looked at
//   follow   after that, the href of an error summary link ("#type-
//            access") to follow with the keyboard: Tab to it, Enter
//   checks   what to report of the final page, any of
//              axe     axe-core's violations of WCAG 2.0, 2.1 and 2.2 A and AA
//              layout  horizontal overflow; each <time>'s line boxes
//              tab     every stop Tab makes, in order, with its box and
//                      whether its focus is visible
//              scale   the boxes of the radios called "recommend"
//
// Each result has the final url, its HTTP status, the title, what has
// focus once the page has loaded, and what each check found; a step that
// could not be done (a link Tab never reaches, say) is said in "failed"
// and ends that visit, not the plan.  The script exits non-zero (saying
// why on stderr) only if the browser cannot be had.
//
// The visits are made in the plan's order.  Those that want the same
// browser (width, js, dark, headers) share one browser context and its
// page: after each, the page goes to about:blank (unloaded, its scripts
// stopped, what it throws on the way counted to its visit), and before
// the next the cookies are cleared, so that each visit starts with no
// cookies and a new document, as a new visitor's does; only the HTTP
// cache of the style sheet and scripts is kept.  A visit that failed
// leaves its context behind: the next one gets a new one.  A context per
// visit took twice as long: each started a renderer and compiled
// axe-core anew.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, CHROMIUM, axe } from './browser.mjs';

const TIMEOUT = 90 * 1000;	// one visit, a proof of work solved included
const MAX_TABS = 120;		// more stops than any privforms page has

// ---- run in the page (through DevTools: the page's CSP does not apply) ----

// What has focus: enough to name it.
function describeFocus() {
	const e = document.activeElement;
	if (!e || e === document.body)
		return null;
	const r = e.getBoundingClientRect();
	// Focus draws a ring: e's own outline or shadow, or the outline of
	// an ancestor that shows it for e (the hub's .card:focus-within).
	// Here, not in a function of its own: page.evaluate sends this one
	// function to the page.
	let ringed = getComputedStyle(e).outlineStyle !== 'none' ||
	    getComputedStyle(e).boxShadow !== 'none';
	for (let a = e.parentElement; a && !ringed; a = a.parentElement)
		ringed = getComputedStyle(a).outlineStyle !== 'none';
	return {
		tag: e.tagName.toLowerCase(), id: e.id || null,
		name: e.getAttribute('name'), type: e.getAttribute('type'),
		href: e.getAttribute('href'), classes: [...e.classList],
		text: (e.innerText || e.value || '').trim().slice(0, 60),
		rect: { top: r.top + scrollY, left: r.left + scrollX,
		    bottom: r.bottom + scrollY, right: r.right + scrollX },
		focusVisible: e.matches(':focus-visible') && ringed,
	};
}

// The question that asks for control: a radio's or checkbox's legend,
// else its label; and whether it and the control are in the window.
function questionInView(id) {
	const input = document.getElementById(id);
	if (!input)
		return null;
	const fieldset = input.closest('fieldset');
	const legend = fieldset ? fieldset.querySelector('legend') : null;
	const ask = (legend && (input.type === 'radio' ||
	    input.type === 'checkbox')) ? legend :
	    document.querySelector(`label[for="${CSS.escape(id)}"]`);
	const inView = (e) => {
		const r = e.getBoundingClientRect();
		return r.top >= -1 && r.bottom <= innerHeight + 1;	/* rounding */
	};
	const box = (e) => {
		const r = e.getBoundingClientRect();
		return [Math.round(r.top), Math.round(r.bottom)];
	};
	return { question: ask ? ask.innerText.trim() : null,
	    questionInView: ask ? inView(ask) : false, controlInView: inView(input),
	    questionBox: ask ? box(ask) : null, controlBox: box(input),
	    innerHeight: innerHeight };
}

function layout() {
	return {
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: innerWidth,
		times: [...document.querySelectorAll('time')].map((t) => ({
			text: t.textContent, datetime: t.getAttribute('datetime'),
			lines: new Set([...t.getClientRects()].map((r) =>
			    Math.round(r.top))).size,
		})),
	};
}

function scale() {
	return [...document.querySelectorAll('input[type="radio"][name="recommend"]')].map(
	    (e) => {
		const r = e.getBoundingClientRect();
		const l = document.querySelector(`label[for="${e.id}"]`)
		    .getBoundingClientRect();
		return { value: e.value, top: r.top, left: r.left,
		    right: r.right, width: r.width, height: r.height,
		    labelTop: l.top, labelBottom: l.bottom };
	});
}

// ---- driving the browser ----

// What a context is made for: visits that want the same one share it.
function wants(v) {
	return JSON.stringify([v.width || 1024, !!v.dark, v.js,
	    v.headers || {}]);
}

async function newPage(browser, v) {
	const ctx = await browser.newContext({
		viewport: { width: v.width || 1024, height: 700 },
		colorScheme: v.dark ? 'dark' : 'light',
		javaScriptEnabled: v.js !== 'off',
		extraHTTPHeaders: v.headers || {},
	});
	ctx.setDefaultTimeout(TIMEOUT);
	const page = await ctx.newPage();
	if (v.js === false)
		await page.route(/\.m?js(\?|$)/, (r) => r.abort());
	const seen = { status: null, errors: [] };
	page.on('response', (r) => {
		if (r.request().isNavigationRequest() &&
		    r.frame() === page.mainFrame())
			seen.status = r.status();
	});
	page.on('pageerror', (e) => seen.errors.push(String(e)));
	page.on('console', (m) => {
		if (m.type() === 'error' && !/Failed to load resource/.test(
		    m.text()) && v.js !== false)
			seen.errors.push(m.text());
	});
	return { ctx, page, seen, wants: wants(v) };
}

// The page for visit v, from tabs (what v wants -> its context and
// page): the one made for what v wants, its cookies cleared, or a new one.
async function pageFor(browser, tabs, v) {
	let tab = tabs.get(wants(v));
	if (tab === undefined) {
		tab = await newPage(browser, v);
		tabs.set(tab.wants, tab);
		return tab;
	}
	await tab.ctx.clearCookies();
	tab.seen.status = null;
	tab.seen.errors = [];
	return tab;
}

// Press Tab until what has focus matches sel (or the stops run out).
async function tabTo(page, sel) {
	for (let i = 0; i < MAX_TABS; i++) {
		await page.keyboard.press('Tab');
		if (await page.evaluate((s) => document.activeElement &&
		    document.activeElement.matches(s), sel))
			return;
	}
	throw new Error(`Tab never reached ${sel} on ${page.url()}`);
}

// Enter, and wait for the page it leads to.
async function enterAndWait(page) {
	const nav = page.waitForEvent('framenavigated',
	    (f) => f === page.mainFrame());
	await page.keyboard.press('Enter');
	await nav;
	await page.waitForLoadState('load');
}

// Every stop Tab makes from the top of the page, until focus comes back
// round or leaves the page.  A click on the page's top left corner (the
// header's margin, no control) starts the Tab order there.
async function tabStops(page) {
	await page.evaluate(() => {
		document.activeElement && document.activeElement.blur();
		window.scrollTo(0, 0);
	});
	await page.mouse.click(1, 1);
	const stops = [];
	for (let i = 0; i < MAX_TABS; i++) {
		await page.keyboard.press('Tab');
		const f = await page.evaluate(describeFocus);
		if (f === null || (stops.length > 0 &&
		    JSON.stringify(f.rect) === JSON.stringify(stops[0].rect) &&
		    f.id === stops[0].id && f.href === stops[0].href))
			break;
		stops.push(f);
	}
	return stops;
}

// One visit, as the plan says, on a page of tabs (pageFor); what went
// wrong ends it in out.failed, and its context.
async function visit(browser, tabs, v) {
	const out = {};
	try {
		const tab = await pageFor(browser, tabs, v);
		await look(tab, v, out);
		await tab.page.goto('about:blank');
		return out;
	} catch (e) {
		out.failed = e.message.split('\n')[0];
		const tab = tabs.get(wants(v));
		tabs.delete(wants(v));
		if (tab !== undefined)
			await tab.ctx.close().catch(() => {});
		return out;
	}
}

async function look({ page, seen }, v, out) {
	await page.goto(v.url, { waitUntil: 'load' });
	for (const [sel, text] of v.type || []) {
		await tabTo(page, sel);
		await page.keyboard.type(text);
	}
	if (v.submit) {
		await tabTo(page, `${v.submit} [type="submit"]`);
		await enterAndWait(page);
	}
	Object.assign(out, { url: page.url(), status: seen.status,
	    title: await page.title(),
	    focus: await page.evaluate(describeFocus) });
	if (v.follow) {
		await tabTo(page, `.error-summary a[href="${v.follow}"]`);
		await page.keyboard.press('Enter');
		out.followed = {
			focus: await page.evaluate(describeFocus),
			hash: await page.evaluate(() => location.hash),
			view: await page.evaluate(questionInView,
			    v.follow.slice(1)),
		};
	}
	const checks = v.checks || [];
	if (checks.includes('layout'))
		out.layout = await page.evaluate(layout);
	if (checks.includes('scale'))
		out.scale = await page.evaluate(scale);
	if (checks.includes('tab'))
		out.tab = await tabStops(page);
	if (checks.includes('axe'))
		out.axe = await axe(page);
	out.errors = seen.errors;
	return out;
}

async function main() {
	const plan = JSON.parse(fs.readFileSync(0, 'utf8'));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'privforms-pages-'));
	let browser = null;
	let rc = 1;
	try {
		browser = await chromium.launch({ executablePath: CHROMIUM,
		    headless: true, args: ARGS, timeout: TIMEOUT,
		    env: { ...process.env, HOME: dir } });
		const results = [];
		const tabs = new Map();
		for (const v of plan)
			results.push(await visit(browser, tabs, v));
		console.log(JSON.stringify(results));
		rc = 0;
	} catch (e) {
		console.error(`pages.mjs: ${e.message}`);
	} finally {
		if (browser)
			await browser.close().catch(() => {});
		fs.rmSync(dir, { recursive: true, force: true });
	}
	process.exit(rc);
}

main();
