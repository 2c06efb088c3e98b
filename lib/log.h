/*
 * log.h -- the one log function.
 *
 * Messages go to standard error (the httpd error log under spawn-fcgi, the
 * journal under systemd).  Callers never pass personal data: no addresses,
 * numbers, names or free text from a form; a request id is fine.  As a second
 * line of defence every byte outside printable ASCII is replaced by '?', so a
 * log line can never be split or carry terminal escapes.
 */
#ifndef PF_LOG_H
#define PF_LOG_H

enum pf_log_level { PF_LOG_ERR, PF_LOG_WARN, PF_LOG_INFO };

/* Program name shown in each line; default "privforms". Not copied. */
void pf_log_init(const char *progname);

void pf_log(enum pf_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
