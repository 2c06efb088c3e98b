/*
 * phone.cc -- E.164 through libphonenumber (see phone.h).
 *
 * The only C++ in privforms.  Nothing may throw across the C boundary, so
 * pf_phone_e164 catches everything; and libphonenumber's own log messages
 * (which can quote the number being parsed) are silenced, so no visitor's
 * number reaches the httpd error log.
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

static int
e164(const char *in, const char *region, char *out, size_t outlen)
{
	const PhoneNumberUtil	&pu = util();
	PhoneNumber		 num;
	std::string		 s;

	if (!plausible(in))
		return PF_EINVAL;
	if (pu.Parse(in, region, &num) != PhoneNumberUtil::NO_PARSING_ERROR)
		return PF_EINVAL;
	if (!pu.IsValidNumber(num))
		return PF_EINVAL;
	pu.Format(num, PhoneNumberUtil::E164, &s);
	if (s.size() >= outlen)
		return PF_EINVAL;
	std::memcpy(out, s.c_str(), s.size() + 1);
	return PF_OK;
}

extern "C" int
pf_phone_e164(const char *in, const char *region, char *out, size_t outlen)
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
