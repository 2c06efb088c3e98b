/*
 * errors.js -- the error summary the GOV.UK way (lib/page.h, pf_page_error).
 *
 * When a form comes back with something to fix, focus moves to what says
 * so: the notice (why nothing was stored) or the error summary, whichever
 * comes first, so that a screen reader reads it at once and the keyboard
 * goes on from there.  A link in the summary goes to the field's first
 * control (the server links a radio group's first radio: a fieldset
 * cannot take focus), and leaves the field's question in view: the
 * legend of a radio group or checkbox group, else the control's label,
 * with its hint below it.  A plain jump to the control would scroll it
 * to the top of the window and its label out of sight.
 *
 * Nothing here is required: without JavaScript the links still go to the
 * control.  Plain ES2017, nothing inline: the pages' Content-Security-
 * Policy allows scripts from 'self' only.
 */
'use strict';

(function () {
	/* The legend or label that asks for input, to keep in view. */
	function question(input) {
		const fieldset = input.closest('fieldset');
		const legend = fieldset ? fieldset.querySelector('legend') : null;
		if (legend) {
			if (input.type === 'radio' || input.type === 'checkbox')
				return legend;
			/* Another control in a fieldset: the legend if both fit. */
			const top = legend.getBoundingClientRect().top;
			const r = input.getBoundingClientRect();
			if (r.bottom - top < window.innerHeight / 2)
				return legend;
		}
		return (input.id && document.querySelector('label[for="' +
		    CSS.escape(input.id) + '"]')) || input.closest('label');
	}

	/* Go to the control a summary link names; false if there is none. */
	function go(link) {
		const id = decodeURIComponent(link.hash.slice(1));
		const input = id ? document.getElementById(id) : null;
		if (!input)
			return false;
		const ask = question(input) || input;
		ask.scrollIntoView({ block: 'start' });
		input.focus({ preventScroll: true });
		return true;
	}

	function start() {
		const shown = document.querySelector(
		    '.notice:not([hidden]), .error-summary:not([hidden])');
		if (shown)
			shown.focus();
		for (const summary of document.querySelectorAll('.error-summary'))
			summary.addEventListener('click', (ev) => {
				const link = ev.target.closest('a[href^="#"]');
				if (link && go(link))
					ev.preventDefault();
			});
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', start);
	else
		start();
})();
