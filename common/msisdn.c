/* msisdn — E.164 normalisation (Indonesian national format first) and replyability. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/msisdn.h"
#include "common/str.h"

int
msisdn_normalise(const char *in, const char *country, char out[MSISDN_MAX], const char **why)
{
	char		 digits[32];
	size_t		 nd = 0, cc_len;
	int		 plus = 0;
	const char	*p, *why_dummy;
	const char	*cc = country && *country ? country : MSISDN_COUNTRY_DEFAULT;

	if (why == NULL)
		why = &why_dummy;
	*why = NULL;
	if (in == NULL) {
		*why = "empty number";
		return -1;
	}
	for (p = in; isspace((unsigned char)*p); p++)
		;
	if (*p == '+') {
		plus = 1;
		p++;
	}
	for (; *p; p++) {
		unsigned char c = *p;

		if (isdigit(c)) {
			if (nd >= sizeof(digits) - 1) {
				*why = "too long";
				return -1;
			}
			digits[nd++] = c;
		} else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t')
			continue;
		else if (isspace(c) && p[1] == '\0')
			continue;
		else {
			*why = isalpha(c) ? "contains letters" : "contains a character that is not a digit";
			return -1;
		}
	}
	digits[nd] = '\0';
	if (nd == 0) {
		*why = "empty number";
		return -1;
	}
	cc_len = strlen(cc);
	if (!plus) {
		if (nd > 2 && digits[0] == '0' && digits[1] == '0') {
			/* 00 international prefix */
			memmove(digits, digits + 2, nd - 1);
			nd -= 2;
		} else if (digits[0] == '0') {
			/* national format: 0 + significant number */
			if (nd - 1 + cc_len >= sizeof(digits)) {
				*why = "too long";
				return -1;
			}
			memmove(digits + cc_len, digits + 1, nd);
			memcpy(digits, cc, cc_len);
			nd = nd - 1 + cc_len;
		} else if (strncmp(digits, cc, cc_len) != 0) {
			*why = "not in national (0…) or international (+…) format";
			return -1;
		}
	}
	if (digits[0] == '0') {
		*why = "country code cannot start with 0";
		return -1;
	}
	if (strncmp(digits, cc, cc_len) == 0) {
		size_t nsn = nd - cc_len;

		if (digits[cc_len] == '0') {
			*why = "a 0 follows the country code";
			return -1;
		}
		/* Indonesia: significant numbers are 8 (old landlines) to 12 (mobile) digits */
		if (nsn < 8) {
			*why = "too short";
			return -1;
		}
		if (nsn > 12) {
			*why = "too long";
			return -1;
		}
	} else if (nd < 8) {
		*why = "too short";
		return -1;
	} else if (nd > 15) {
		*why = "too long";
		return -1;
	}
	if (nd > 15) {
		*why = "too long";
		return -1;
	}
	out[0] = '+';
	memcpy(out + 1, digits, nd + 1);
	return 0;
}

int
msisdn_replyable(const char *sender)
{
	size_t		 nd;
	const char	*p = sender;

	if (p == NULL || *p == '\0')
		return 0;
	if (*p == '+')
		p++;
	if (!str_digits_n(p, nd = strlen(p)))
		return 0;
	/* E.164 numbers have at most 15 digits; a mobile number with its country code has 10 or more
	 * (Indonesia: +62 8xx and 7 to 10 more). Shorter ones are short codes and service numbers. */
	return nd >= MSISDN_REPLY_MIN_DIGITS && nd <= MSISDN_REPLY_MAX_DIGITS;
}
