/*
 * datefmt.c -- dates and times for the current language, through ICU's
 * udat (datefmt.h).
 */
#include <stdio.h>
#include <string.h>

#include <unicode/udat.h>
#include <unicode/ustring.h>

#include "datefmt.h"
#include "err.h"
#include "lang.h"
#include "nitems.h"

enum { STYLE_DAY, STYLE_TIME, STYLE__MAX };

/* What each style asks ICU for: a date style, a time style. */
static const struct {
	UDateFormatStyle	 date, time;
} styles[STYLE__MAX] = {
	[STYLE_DAY] = { UDAT_LONG, UDAT_NONE },
	[STYLE_TIME] = { UDAT_NONE, UDAT_SHORT },
};

/* The formatters open now, and the language they are for. */
static UDateFormat	*open_fmt[STYLE__MAX];
static char		 open_lang[PF_LANG_MAX];

/* The ICU locale of the current language (datefmt.h: en is en_GB). */
static void
icu_locale(char out[PF_LANG_MAX])
{
	const char	*tag = pf_lang_current();

	if (strcmp(tag, PF_LANG_SOURCE) == 0 ||
	    pf_lang_name(tag, out) != PF_OK)
		memcpy(out, "en_GB", sizeof("en_GB"));
}

/* Close every formatter: the language changed. */
static void
close_all(void)
{
	size_t	 i;

	for (i = 0; i < nitems(open_fmt); i++) {
		if (open_fmt[i] != NULL)
			udat_close(open_fmt[i]);
		open_fmt[i] = NULL;
	}
}

/* The formatter of style for the current language; NULL if ICU has none. */
static UDateFormat *
formatter(int style)
{
	static const UChar	 utc[] = { 'U', 'T', 'C', 0 };
	UErrorCode		 err = U_ZERO_ERROR;

	if (strcmp(open_lang, pf_lang_current()) != 0) {
		close_all();
		snprintf(open_lang, sizeof(open_lang), "%s", pf_lang_current());
	}
	if (open_fmt[style] == NULL) {
		char	 locale[PF_LANG_MAX];

		icu_locale(locale);
		open_fmt[style] = udat_open(styles[style].time,
		    styles[style].date, locale, utc, -1, NULL, 0, &err);
		if (U_FAILURE(err)) {
			if (open_fmt[style] != NULL)
				udat_close(open_fmt[style]);
			open_fmt[style] = NULL;
		}
	}
	return open_fmt[style];
}

static int
format(int style, time_t t, char out[PF_DATEFMT_SIZE])
{
	UDateFormat	*fmt = formatter(style);
	UChar		 buf[PF_DATEFMT_SIZE];
	UErrorCode	 err = U_ZERO_ERROR;
	int32_t		 n;

	out[0] = '\0';
	if (fmt == NULL)
		return PF_EINVAL;
	n = udat_format(fmt, (UDate)t * 1000.0, buf, (int32_t)nitems(buf),
	    NULL, &err);
	if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
		return err == U_MEMORY_ALLOCATION_ERROR ? PF_ENOMEM : PF_EINVAL;
	u_strToUTF8(out, PF_DATEFMT_SIZE, NULL, buf, n, &err);
	if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING) {
		out[0] = '\0';
		return PF_EINVAL;
	}
	return PF_OK;
}

int
pf_datefmt_day(time_t t, char out[PF_DATEFMT_SIZE])
{
	return format(STYLE_DAY, t, out);
}

int
pf_datefmt_time(time_t t, char out[PF_DATEFMT_SIZE])
{
	return format(STYLE_TIME, t, out);
}
