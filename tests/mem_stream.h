/*
 * mem_stream.h -- an in-memory request body as a pf_stream, shared by the
 * unit tests (tests/unit/test_request.c) and the fuzz harness
 * (tests/fuzz/fuzz_form.c) that read forms through pf_request_read_form.
 *
 *	struct pf_test_mem m = { .buf = body, .len = len };
 *	struct pf_stream io = { pf_test_mem_read, pf_test_mem_write, &m };
 *
 * Header-only (static functions) so that each test program and harness
 * links nothing more.
 */
#ifndef PF_TEST_MEM_STREAM_H
#define PF_TEST_MEM_STREAM_H

#include <string.h>

/*
 * A body of len bytes at buf, read from pos on: at most chunk bytes per
 * read (0: all it can); when fails is set, reads stop at fail_at bytes and
 * then fail (fail_at 0: the first read fails).  reads counts the calls.
 */
struct pf_test_mem {
	const void	*buf;
	size_t		 len, pos, chunk;
	int		 fails;
	size_t		 fail_at;
	size_t		 reads;
};

static long
pf_test_mem_read(void *ctx, void *buf, size_t len)
{
	struct pf_test_mem	*m = ctx;

	m->reads++;
	if (m->fails && m->pos >= m->fail_at)
		return -1;
	if (len > m->len - m->pos)
		len = m->len - m->pos;
	if (m->fails && len > m->fail_at - m->pos)
		len = m->fail_at - m->pos;
	if (m->chunk > 0 && len > m->chunk)
		len = m->chunk;
	memcpy(buf, (const char *)m->buf + m->pos, len);
	m->pos += len;
	return (long)len;
}

/* Answers are not looked at: whatever is written is dropped. */
static int
pf_test_mem_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

#endif
