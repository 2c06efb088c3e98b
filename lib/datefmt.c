/*
 * datefmt.c -- dates and times for the current language, through ICU's
 * udat (datefmt.h).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <unicode/udat.h>
#include <unicode/ustring.h>
#include <unicode/uvernum.h>

#include "datefmt.h"
#include "err.h"
#include "lang.h"
#include "log.h"
#include "nitems.h"

/*
 * ICU's i18n library, opened on the first date a process formats: linked
 * in, its loading and relocation cost every start of the data request
 * program 0.9 M instructions (a plain-CGI request is about 20 M), though
 * most of its pages show no date.  Its common library, which the
 * formatted text is converted with, is loaded anyway (libxml2 links it).
 * The header renames each function to its versioned symbol (udat_open is
 * udat_open_72): SYM gives that name as a string.
 */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define SYM(f)		STR(f)
#define ICU_I18N	"libicui18n.so." STR(U_ICU_VERSION_MAJOR_NUM)

static struct {
	UDateFormat	*(*open)(UDateFormatStyle, UDateFormatStyle,
			    const char *, const UChar *, int32_t,
			    const UChar *, int32_t, UErrorCode *);
	int32_t		 (*format)(const UDateFormat *, UDate, UChar *,
			    int32_t, UFieldPosition *, UErrorCode *);
	void		 (*close)(UDateFormat *);
	int		 tried;
} icu;

/* 1 once the library's three functions are found; logged once if not. */
static int
icu_loaded(void)
{
	void	*h;

	if (icu.tried)
		return icu.close != NULL;
	icu.tried = 1;
	if ((h = dlopen(ICU_I18N, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		pf_log(PF_LOG_ERR, "cannot load %s: dates in ISO 8601",
		    ICU_I18N);
		return 0;
	}
	*(void **)&icu.open = dlsym(h, SYM(udat_open));
	*(void **)&icu.format = dlsym(h, SYM(udat_format));
	*(void **)&icu.close = dlsym(h, SYM(udat_close));
	if (icu.open == NULL || icu.format == NULL || icu.close == NULL) {
		pf_log(PF_LOG_ERR, "%s lacks udat_open, udat_format or "
		    "udat_close", ICU_I18N);
		icu.close = NULL;
		dlclose(h);
		return 0;
	}
	return 1;
}

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
			icu.close(open_fmt[i]);
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
		open_fmt[style] = icu.open(styles[style].time,
		    styles[style].date, locale, utc, -1, NULL, 0, &err);
		if (U_FAILURE(err)) {
			if (open_fmt[style] != NULL)
				icu.close(open_fmt[style]);
			open_fmt[style] = NULL;
		}
	}
	return open_fmt[style];
}

/* Without ICU (logged): "2027-03-02" and "14:05", readable everywhere. */
static int
iso(int style, time_t t, char out[PF_DATEFMT_SIZE])
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, PF_DATEFMT_SIZE, style == STYLE_DAY ? "%Y-%m-%d" :
	    "%H:%M", &tm) == 0)
		return PF_EINVAL;
	return PF_OK;
}

static int
format(int style, time_t t, char out[PF_DATEFMT_SIZE])
{
	UDateFormat	*fmt;
	UChar		 buf[PF_DATEFMT_SIZE];
	UErrorCode	 err = U_ZERO_ERROR;
	int32_t		 n;

	out[0] = '\0';
	if (!icu_loaded())
		return iso(style, t, out);
	if ((fmt = formatter(style)) == NULL)
		return PF_EINVAL;
	n = icu.format(fmt, (UDate)t * 1000.0, buf, (int32_t)nitems(buf),
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
