/*
 * utc.c -- times as text (utc.h).
 */
#include <stdio.h>
#include <time.h>

#include "utc.h"

void
pf_utc_now(char out[32])
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
pf_utc_now_or(const char *t, char buf[32])
{
	if (t != NULL)
		return t;
	pf_utc_now(buf);
	return buf;
}

void
pf_utc_time(time_t t, char out[32])
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

/*
 * The cutoff keeps the seconds of now and has ".000000" for microseconds:
 * now has no finer part, and a row stored within that second compares as
 * not before the cutoff, so it is kept (never purged early).
 */
void
pf_utc_years_before(time_t now, long years, char out[32])
{
	struct tm	 tm;
	long long	 y;
	char		 day[24];

	if (years < 0 || gmtime_r(&now, &tm) == NULL)
		goto earliest;
	y = tm.tm_year + 1900LL - years;
	if (y < 1000 || y > 9999)
		goto earliest;
	tm.tm_year = (int)(y - 1900);
	if (tm.tm_mon == 1 && tm.tm_mday == 29 && !leap_year(y))
		tm.tm_mday = 28;
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.19s.000000Z", day);
	return;
earliest:
	snprintf(out, 32, "0000-01-01T00:00:00.000000Z");
}
