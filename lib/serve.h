/*
 * serve.h -- the accept loop of a form program.
 *
 * pf_serve() runs the loop: under a FastCGI server (spawn-fcgi, systemd
 * socket, mod_fcgid) it serves requests until the listener closes;
 * started as plain CGI (FCGX_IsCGI()), it serves the one request in its
 * environment and returns.  Each request lives in one struct pf_request
 * (request.h) that is built at the top of the loop and freed at the
 * bottom, its streams libfcgi's or standard input and output.
 */
#ifndef PF_SERVE_H
#define PF_SERVE_H

struct pf_limits;
struct pf_request;

/*
 * Run handler for each request until the FastCGI listener closes (or once,
 * as plain CGI).  SIGPIPE is ignored so a client that disconnects early
 * cannot kill the worker; SIGTERM ends the loop after the request being
 * served.  The handler must answer (response.h); if it did not, a 500 is
 * sent.  As plain CGI, what the handler left of the body is read and
 * dropped before returning (at most 4 MiB), so that a server that gave us
 * a socket does not reset the connection.  Returns 0 when the loop ends
 * normally, -1 if libfcgi cannot start.
 */
typedef void pf_handler(struct pf_request *req, void *arg);
int pf_serve(pf_handler *handler, void *arg, const struct pf_limits *limits);

/* Non-zero when the program was started as plain CGI: one request, then exit. */
int pf_serve_cgi(void);

/*
 * For a program that cannot start: on a FastCGI socket, wait
 * PF_START_RETRY_SECONDS before returning, so that a supervisor that
 * restarts it without limit (multiwatch in INSTALL, tools/stack.sh and the
 * systemd unit never gives a worker up) tries again once a second rather
 * than in a busy loop; as plain CGI, return at once.
 */
#define PF_START_RETRY_SECONDS	1
void pf_serve_start_failed(void);

#endif
