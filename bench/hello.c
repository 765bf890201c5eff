/*
 * The ceiling for benchmarks: the smallest useful FastCGI responder,
 * answering every request with a fixed JSON body through the same libfcgi
 * and lighttpd as the real service, closing the same way (bench/run.sh
 * runs it on a unix socket).
 */
#include <fcgiapp.h>

int
main(void)
{
	static const char resp[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 12\r\n"
	    "\r\n"
	    "{\"ok\":true}\n";
	FCGX_Request r;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(resp, sizeof(resp) - 1, r.out);
		/* Closes at once, as fcgi/server.c does: a fair ceiling. */
		FCGX_Detach(&r);
		FCGX_Finish_r(&r);
	}
	return 0;
}
