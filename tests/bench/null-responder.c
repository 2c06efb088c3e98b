/*
 * null-responder -- the ceiling of nginx + libfcgi on this machine: reads the
 * request body and answers 200, nothing else.  Built by `make bench`.
 */
#include <stdio.h>

#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request	 r;
	char		 buf[8192];

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			continue;
		FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n",
		    r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
