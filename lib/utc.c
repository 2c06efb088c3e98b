/*
 * utc.c -- times as text (utc.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "utc.h"

void
pf_utc_now(char out[PF_TIME_SIZE])
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 day[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.19s.%06dZ", day, (int)(ts.tv_nsec / 1000) % 1000000);
}

const char *
pf_utc_now_or(const char *t, char buf[PF_TIME_SIZE])
{
	if (t != NULL)
		return t;
	pf_utc_now(buf);
	return buf;
}

void
pf_utc_time(time_t t, char out[PF_TIME_SIZE])
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

static int
leap_year(long long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Days in month mon (0 to 11) of year y. */
static int
month_days(long long y, int mon)
{
	static const int	 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };

	return mon == 1 && leap_year(y) ? 29 : days[mon];
}

/*
 * The cutoff keeps the seconds of now and has ".000000" for microseconds:
 * now has no finer part, and a row stored within that second compares as
 * not before the cutoff, so it is kept (never purged early).
 */
void
pf_utc_months_before(time_t now, long months, char out[PF_TIME_SIZE])
{
	struct tm	 tm;
	long long	 m;
	char		 day[24];

	if (months < 0 || gmtime_r(&now, &tm) == NULL)
		goto earliest;
	/* Months since year 0; months <= LONG_MAX cannot overflow it. */
	m = (tm.tm_year + 1900LL) * 12 + tm.tm_mon - months;
	if (m < 1000 * 12LL || m > 9999 * 12LL + 11)
		goto earliest;
	tm.tm_year = (int)(m / 12 - 1900);
	tm.tm_mon = (int)(m % 12);
	if (tm.tm_mday > month_days(m / 12, tm.tm_mon))
		tm.tm_mday = month_days(m / 12, tm.tm_mon);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.19s.000000Z", day);
	return;
earliest:
	snprintf(out, 32, "0000-01-01T00:00:00.000000Z");
}

void
pf_utc_years_before(time_t now, long years, char out[PF_TIME_SIZE])
{
	pf_utc_months_before(now, years >= 0 && years <= LONG_MAX / 12 ?
	    years * 12 : -1, out);
}

/*
 * The number s[0..n) when each of its n bytes is a digit (no sign, no
 * space: sscanf would take both), else -1.
 */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Midnight UTC of s[0..10), a day that exists; else -1. */
static time_t
day(const char *s)
{
	struct tm	 tm, back;
	time_t		 t;
	int		 y, m, d;

	if ((y = digits(s, 4)) < 1 || s[4] != '-' ||
	    (m = digits(s + 5, 2)) < 1 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 1)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	/* timegm moves 30 February to March: such a day does not exist. */
	if ((t = timegm(&tm)) == (time_t)-1 || gmtime_r(&t, &back) == NULL ||
	    back.tm_year != y - 1900 || back.tm_mon != m - 1 ||
	    back.tm_mday != d)
		return -1;
	return t;	/* a midnight is never the second before the epoch */
}

int
pf_utc_parse_day(const char *s, time_t *t)
{
	time_t	 d;

	if (s == NULL || strnlen(s, PF_DATE_SIZE) != PF_DATE_SIZE - 1 ||
	    (d = day(s)) == -1)
		return PF_EINVAL;
	*t = d;
	return PF_OK;
}

int
pf_utc_parse_time(const char *s, time_t *t)
{
	time_t	 d;
	int	 h, m, sec;

	/* "YYYY-MM-DDTHH:MM:SS": 19 bytes, none of them a NUL. */
	if (s == NULL || strnlen(s, 19) != 19 || (d = day(s)) == -1 ||
	    s[10] != 'T' || (h = digits(s + 11, 2)) < 0 || h > 23 ||
	    s[13] != ':' || (m = digits(s + 14, 2)) < 0 || m > 59 ||
	    s[16] != ':' || (sec = digits(s + 17, 2)) < 0 || sec > 59)
		return PF_EINVAL;
	*t = d + (h * 60 + m) * 60 + sec;
	return PF_OK;
}
