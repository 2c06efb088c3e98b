/*
 * phone.cc -- E.164 through libphonenumber (see phone.h): the phone module,
 * a shared object of its own that phone_load.c opens on first use
 * (phone_module.h), so that only a request that reads a number loads
 * libphonenumber and what it needs.
 *
 * The only C++ in privforms.  Nothing may throw across the C boundary, so
 * the extern "C" functions catch everything; and libphonenumber's own log
 * messages (which can quote the number being parsed) are silenced, so no
 * visitor's number reaches the httpd error log.
 */
#include <cstring>
#include <new>
#include <string>

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

extern "C" {
#include "err.h"
#include "phone.h"
#include "phone_module.h"
}

using i18n::phonenumbers::NullLogger;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/*
 * The library's singleton, with a logger that drops everything.  It owns the
 * logger.  Function-local static: initialised once, on first use.
 */
static const PhoneNumberUtil &
util()
{
	static PhoneNumberUtil *u = [] {
		PhoneNumberUtil *p = PhoneNumberUtil::GetInstance();

		p->SetLogger(new NullLogger());
		return p;
	}();

	return *u;
}

/*
 * What a person types into a phone field: digits, spaces, a leading '+' and
 * the usual punctuation.  libphonenumber alone would also pull a number out
 * of surrounding text and accept letters (vanity numbers) and extensions,
 * none of which belong in a Do-Not-Call register.
 */
static bool
plausible(const char *in)
{
	size_t	 i, digits = 0;

	for (i = 0; in[i] != '\0'; i++) {
		if (i >= PF_PHONE_MAX_INPUT)
			return false;
		if (in[i] >= '0' && in[i] <= '9')
			digits++;
		else if (in[i] == '+') {
			if (digits > 0 || std::strchr(in + i + 1, '+') != NULL)
				return false;
		} else if (std::strchr(" ()-./", in[i]) == NULL)
			return false;
	}
	return digits > 0;
}

/* num is in, read with region, if that is a valid number. */
static bool
parse_valid(const std::string &in, const char *region, PhoneNumber *num)
{
	const PhoneNumberUtil	&pu = util();

	return pu.Parse(in, region, num) == PhoneNumberUtil::NO_PARSING_ERROR &&
	    pu.IsValidNumber(*num);
}

/*
 * in without the international call prefix it begins with (punctuation
 * between the prefix's digits allowed), as '+' and the rest from its next
 * digit on: "00 44 20 ..." and "00" give "+44 20 ..." and "+".  Empty if in
 * does not begin with prefix.
 */
static std::string
after_prefix(const char *in, const char *prefix)
{
	const char	*p = prefix;

	for (; *in != '\0' && *p != '\0'; in++) {
		if (*in < '0' || *in > '9')
			continue;
		if (*in != *p)
			return "";
		p++;
	}
	if (*p != '\0')
		return "";
	while (*in != '\0' && (*in < '0' || *in > '9'))
		in++;
	return std::string("+") + in;
}

/*
 * The valid number in as written with region or, failing that, after the
 * 00 or 011 it begins with.  Only then: 0118 is a UK area code, 011 Delhi's
 * and Sapporo's, and as written they mean what their region says.
 */
static bool
read_number(const char *in, const char *region, PhoneNumber *num)
{
	static const char *const prefixes[] = { "00", "011" };
	std::string		 rest;

	if (parse_valid(in, region, num))
		return true;
	if (std::strchr(in, '+') != NULL)
		return false;
	for (const char *prefix : prefixes)
		if (!(rest = after_prefix(in, prefix)).empty() &&
		    parse_valid(rest, "ZZ", num))
			return true;
	return false;
}

/* s and its NUL into out[outlen], or PF_EINVAL if it does not fit. */
static int
copy_out(const std::string &s, char *out, size_t outlen)
{
	if (s.size() >= outlen)
		return PF_EINVAL;
	std::memcpy(out, s.c_str(), s.size() + 1);
	return PF_OK;
}

/*
 * The number e164() last read, with its E.164 form, until phone_region
 * asks for that form's region: the Do-Not-Call form reads a number and
 * then asks where it is, and parsing and validating it again was a fifth
 * of that form's work.  The number is valid and its E.164 form is what
 * Format gave it, which is all phone_region checks of a parsed number.
 * Kept for one question only, so that no visitor's number outlives the
 * request that asked.
 */
static struct {
	std::string	 e164;		/* empty: none */
	PhoneNumber	 num;
} last;

static void
forget_last()
{
	last.e164.clear();
	last.num.Clear();
}

static int
e164(const char *in, const char *region, char *out, size_t outlen)
{
	PhoneNumber	 num;
	std::string	 s;
	int		 rc;

	forget_last();
	if (!plausible(in) || !read_number(in, region, &num))
		return PF_EINVAL;
	util().Format(num, PhoneNumberUtil::E164, &s);
	if ((rc = copy_out(s, out, outlen)) == PF_OK) {
		last.num = num;
		last.e164 = s;
	}
	return rc;
}

static int
phone_e164(const char *in, const char *region, char *out, size_t outlen)
{
	if (in == NULL || region == NULL || out == NULL || outlen == 0)
		return PF_EINVAL;
	*out = '\0';
	try {
		return e164(in, region, out, outlen);
	} catch (const std::bad_alloc &) {
		return PF_ENOMEM;
	} catch (...) {
		return PF_EINVAL;
	}
}

/* '+' and 1 to 15 digits: E.164's shape, before the library judges it. */
static bool
e164_shaped(const char *s)
{
	size_t	 i;

	if (s[0] != '+')
		return false;
	for (i = 1; s[i] >= '0' && s[i] <= '9'; i++)
		if (i > 15)
			return false;
	return s[i] == '\0' && i > 1;
}

static int
format(const char *e164, char *out, size_t outlen)
{
	const PhoneNumberUtil	&pu = util();
	PhoneNumber		 num;
	std::string		 s;

	if (!e164_shaped(e164) || !parse_valid(e164, "ZZ", &num))
		return PF_EINVAL;
	/* The library forgives a trunk 0 ("+4402033181234"); E.164 does not. */
	pu.Format(num, PhoneNumberUtil::E164, &s);
	if (s != e164)
		return PF_EINVAL;
	pu.Format(num, PhoneNumberUtil::INTERNATIONAL, &s);
	return copy_out(s, out, outlen);
}

static int
phone_format(const char *e164, char *out, size_t outlen)
{
	if (e164 == NULL || out == NULL || outlen == 0)
		return PF_EINVAL;
	*out = '\0';
	try {
		return format(e164, out, outlen);
	} catch (const std::bad_alloc &) {
		return PF_ENOMEM;
	} catch (...) {
		return PF_EINVAL;
	}
}

/*
 * num is e164, if that is a valid number written as E.164 writes it: the
 * number e164() last read, if it is that one, else parsed and checked.
 */
static bool
read_e164(const char *e164, PhoneNumber *num)
{
	const PhoneNumberUtil	&pu = util();
	std::string		 again;

	if (!last.e164.empty() && last.e164 == e164) {
		*num = last.num;
		return true;
	}
	if (e164[0] != '+' || pu.Parse(e164, "ZZ", num) !=
	    PhoneNumberUtil::NO_PARSING_ERROR || !pu.IsValidNumber(*num))
		return false;
	pu.Format(*num, PhoneNumberUtil::E164, &again);
	return again == e164;
}

static int
phone_region(const char *e164, char out[3])
{
	PhoneNumber	 num;
	std::string	 region;
	bool		 ok;

	if (e164 == NULL || out == NULL)
		return PF_EINVAL;
	out[0] = '\0';
	try {
		ok = read_e164(e164, &num);
		forget_last();
		if (!ok)
			return PF_EINVAL;
		util().GetRegionCodeForNumber(num, &region);
		/* "001" for global services, "ZZ" for none. */
		if (region.size() != 2 || region == "ZZ")
			return PF_ENOTFOUND;
		std::memcpy(out, region.c_str(), 3);
		return PF_OK;
	} catch (const std::bad_alloc &) {
		return PF_ENOMEM;
	} catch (...) {
		return PF_EINVAL;
	}
}

/* The module's one export (built with -fvisibility=hidden). */
extern "C" __attribute__((visibility("default")))
const struct pf_phone_module pf_phone_module = {
	phone_e164, phone_format, phone_region,
};
