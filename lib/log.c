/* log.c -- one line per message on standard error, printable ASCII only. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static const char *prog = "privforms";

void
pf_log_init(const char *progname)
{
	if (progname != NULL && *progname != '\0')
		prog = progname;
}

void
pf_log(enum pf_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info" };
	char	 line[1024];
	va_list	 ap;
	size_t	 i;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Whatever slipped into the message, it cannot split the line. */
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			line[i] = '?';
	fprintf(stderr, "%s[%ld]: %s: %s\n", prog, (long)getpid(),
	    names[level], line);
}
