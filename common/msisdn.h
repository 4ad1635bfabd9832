/*
 * msisdn — phone numbers as E.164 text. 0812…, 62812…, +62 812-…, 0062812… all become +62812….
 * Pure functions; no I/O.
 */
#ifndef COMMON_MSISDN_H
#define COMMON_MSISDN_H
#include <stddef.h>

#define MSISDN_MAX 20	/* "+" + 15 digits + NUL, with room */
/* The country calling code when none is configured ([gateway] country): Indonesia. */
#define MSISDN_COUNTRY_DEFAULT	"62"

/*
 * Normalises `in` for a country calling code such as "62" (NULL or "": MSISDN_COUNTRY_DEFAULT). Returns 0 and writes out, or -1 and
 * sets *why to a static English reason ("too short", "contains letters", …).
 */
int	msisdn_normalise(const char *in, const char *country, char out[MSISDN_MAX], const char **why);

/*
 * Whether an SMS can be sent back to this sender as it appears on an incoming message:
 * 0 for alphanumeric senders ("TELKOMSEL"), short codes and service numbers (fewer than
 * MSISDN_REPLY_MIN_DIGITS digits), anything longer than E.164 allows, and empty ones.
 */
#define MSISDN_REPLY_MIN_DIGITS	10
#define MSISDN_REPLY_MAX_DIGITS	15
int	msisdn_replyable(const char *sender);
#endif
