/*
 * fuzz_phone.c -- phone numbers (phone.h) and their validator on hostile
 * text.
 *
 * The first 2 bytes of the input are the region, as a form would send it or
 * junk; the rest, up to its first NUL, is the number.  pf_phone_e164 must
 * refuse what phone.h says it refuses and, when it accepts, write E.164 that
 * reads back as itself in any region; pf_phone_format must accept exactly
 * that E.164 and write text that reads back as the same number;
 * pf_valid_phone must agree with pf_phone_e164.
 */
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "nitems.h"
#include "phone.h"
#include "validate.h"

#define REGION_LEN	2
#define DIGITS		"0123456789"
/* All that phone.h lets a typed number hold. */
#define TYPED		DIGITS " +()-./"
/*
 * What libphonenumber 8.12.57's INTERNATIONAL format writes after its '+':
 * the metadata's formats use spaces and '-' and, in New Caledonia and
 * Slovakia, '.' and '/' ("+687 20.12.34", "+421 2/212 345 67").
 */
#define DISPLAYED	DIGITS " -./"

/* Whether phone.h promises to refuse in, whatever the region. */
static bool
must_refuse(const char *in)
{
	const char	*plus;
	size_t		 len = strlen(in);

	if (len > PF_PHONE_MAX_INPUT || strspn(in, TYPED) != len)
		return true;
	if (strpbrk(in, DIGITS) == NULL)
		return true;
	/* One '+' at most, and no digit before it. */
	if ((plus = strchr(in, '+')) == NULL)
		return false;
	return strchr(plus + 1, '+') != NULL ||
	    strcspn(in, DIGITS) < (size_t)(plus - in);
}

/* '+' and 2 to 15 digits, the first not 0. */
static bool
is_e164(const char *s)
{
	size_t	 len = strlen(s);

	return s[0] == '+' && len >= 3 && len <= 16 &&
	    strspn(s + 1, DIGITS) == len - 1 && s[1] != '0';
}

/* pf_phone_e164 into out[PF_PHONE_E164_SIZE]: the code, out checked. */
static int
e164(const char *in, const char *region, char *out)
{
	int	 rc;

	memset(out, 'x', PF_PHONE_E164_SIZE);
	rc = pf_phone_e164(in, region, out, PF_PHONE_E164_SIZE);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EINVAL || rc == PF_ENOMEM);
	FUZZ_ASSERT(memchr(out, '\0', PF_PHONE_E164_SIZE) != NULL);
	if (rc == PF_OK)
		FUZZ_ASSERT(is_e164(out));
	else
		FUZZ_ASSERT(out[0] == '\0');
	return rc;
}

/*
 * f(in, ..., out, outlen) into a buffer of exactly want's length: refused
 * as too small; and of that and its NUL: want again.  Heap buffers, so that
 * a sanitizer sees a write past them.
 */
static void
check_tight(int (*f)(const char *, const char *, char *, size_t),
    const char *in, const char *region, const char *want)
{
	char	*buf;
	size_t	 len = strlen(want);

	FUZZ_ASSERT((buf = malloc(len + 1)) != NULL);
	FUZZ_ASSERT(f(in, region, buf, len) == PF_EINVAL);
	FUZZ_ASSERT(buf[0] == '\0');
	FUZZ_ASSERT(f(in, region, buf, len + 1) == PF_OK);
	FUZZ_ASSERT(strcmp(buf, want) == 0);
	free(buf);
}

/* pf_phone_format with check_tight's signature; region unused. */
static int
format(const char *e, const char *region, char *out, size_t outlen)
{
	(void)region;
	return pf_phone_format(e, out, outlen);
}

/* E.164 text reads back as itself, whatever the region. */
static void
check_reads_as(const char *in, const char *region, const char *want)
{
	static const char *const others[] = { "ZZ", "US", "GB", "DE" };
	char	 out[PF_PHONE_E164_SIZE];
	size_t	 i;

	FUZZ_ASSERT(e164(in, region, out) == PF_OK && strcmp(out, want) == 0);
	for (i = 0; i < nitems(others); i++)
		FUZZ_ASSERT(e164(in, others[i], out) == PF_OK &&
		    strcmp(out, want) == 0);
}

/* s without its non-digits equals e, '+' and digits, without its '+'. */
static bool
same_digits(const char *s, const char *e)
{
	for (e++; *s != '\0'; s++)
		if (*s >= '0' && *s <= '9' && *s != *e++)
			return false;
	return *e == '\0';
}

/* The international format of E.164 e: readable, and read back as e. */
static void
check_format(const char *e, const char *region)
{
	char	 disp[PF_PHONE_DISPLAY_SIZE];
	size_t	 len;

	FUZZ_ASSERT(pf_phone_format(e, disp, sizeof(disp)) == PF_OK);
	len = strlen(disp);
	FUZZ_ASSERT(disp[0] == '+' && strspn(disp + 1, DISPLAYED) == len - 1);
	FUZZ_ASSERT(same_digits(disp, e));
	check_tight(format, e, NULL, disp);
	check_reads_as(disp, region, e);
}

/* pf_phone_format takes in exactly when it is the E.164 of a number. */
static void
check_format_input(const char *in)
{
	char	 disp[PF_PHONE_DISPLAY_SIZE], out[PF_PHONE_E164_SIZE];
	int	 rc;

	rc = pf_phone_format(in, disp, sizeof(disp));
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EINVAL || rc == PF_ENOMEM);
	if (rc == PF_ENOMEM)
		return;
	if (e164(in, "ZZ", out) == PF_OK && strcmp(out, in) == 0)
		FUZZ_ASSERT(rc == PF_OK);
	else
		FUZZ_ASSERT(rc == PF_EINVAL && disp[0] == '\0');
}

/* pf_valid_phone with arg accepts exactly as pf_phone_e164 did. */
static void
check_validator(const char *in, const char *arg, int rc, const char *want)
{
	const char	*msg;
	char		*norm;

	msg = pf_valid_phone(in, arg, &norm);
	if (rc == PF_OK) {
		FUZZ_ASSERT(msg == NULL && norm != NULL);
		FUZZ_ASSERT(strcmp(norm, want) == 0);
	} else
		FUZZ_ASSERT(msg != NULL && *msg != '\0' && norm == NULL);
	free(norm);
}

static void
check_number(const char *in, const char *region)
{
	char	 out[PF_PHONE_E164_SIZE], zz[PF_PHONE_E164_SIZE];
	int	 rc, zzrc;

	rc = e164(in, region, out);
	if (must_refuse(in))
		FUZZ_ASSERT(rc == PF_EINVAL);
	check_validator(in, region, rc, out);
	/* No region is region "ZZ": only numbers with + and a country code. */
	zzrc = e164(in, "ZZ", zz);
	check_validator(in, NULL, zzrc, zz);
	check_format_input(in);
	if (rc != PF_OK)
		return;
	check_tight(pf_phone_e164, in, region, out);
	check_reads_as(out, region, out);
	check_format(out, region);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 region[REGION_LEN + 1];
	char	*in;
	size_t	 n = size < REGION_LEN ? size : REGION_LEN;

	memcpy(region, data, n);
	region[n] = '\0';
	data += n;
	size -= n;
	in = fuzz_text(data, size);
	check_number(in, region);
	free(in);
	return 0;
}
