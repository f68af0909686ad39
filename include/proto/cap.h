/* cap.h - the IRCv3 capability table (the CAP command is cmd/cmd_cap.c).
 * https://ircv3.net/specs/extensions/capability-negotiation */
#ifndef EVIRCD_CAP_H
#define EVIRCD_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;

/* Capability bits (client.caps). */
enum cap_bit {
	CAP_ACCOUNT_NOTIFY = 1u << 0,
	CAP_ACCOUNT_TAG = 1u << 1,
	CAP_AWAY_NOTIFY = 1u << 2,
	CAP_BATCH = 1u << 3,
	CAP_CAP_NOTIFY = 1u << 4,
	CAP_CHGHOST = 1u << 5,
	CAP_ECHO_MESSAGE = 1u << 6,
	CAP_EXTENDED_JOIN = 1u << 7,
	CAP_EXTENDED_MONITOR = 1u << 8,
	CAP_INVITE_NOTIFY = 1u << 9,
	CAP_LABELED_RESPONSE = 1u << 10,
	CAP_MESSAGE_TAGS = 1u << 11,
	CAP_MULTI_PREFIX = 1u << 12,
	CAP_NO_IMPLICIT_NAMES = 1u << 13,
	CAP_SERVER_TIME = 1u << 14,
	CAP_SETNAME = 1u << 15,
	CAP_STANDARD_REPLIES = 1u << 16,
	CAP_USERHOST_IN_NAMES = 1u << 17,
	CAP_STS = 1u << 18, /* advertised only, never enabled */
	CAP_SASL = 1u << 19, /* offered with an [accounts] database */
	CAP_ACCOUNT_REGISTRATION = 1u << 20, /* draft/account-registration, likewise */
	CAP_CHATHISTORY = 1u << 21, /* draft/chathistory, with [history] enabled */
	CAP_EVENT_PLAYBACK = 1u << 22, /* draft/event-playback, likewise */
	CAP_READ_MARKER = 1u << 23, /* draft/read-marker, with an [accounts] database */
	CAP_MULTILINE = 1u << 24, /* draft/multiline (cmd/multiline.c) */
	CAP_MESSAGE_REDACTION = 1u << 25, /* draft/message-redaction, with history */
	CAP_METADATA = 1u << 30, /* draft/metadata-3, with [metadata] enabled */
};

/* One advertised capability. */
struct cap_def {
	const char *name;
	uint32_t bit;
};

extern const struct cap_def cap_table[];
extern const unsigned cap_count;

/* cap_find: the capability named name (exact), or NULL. */
const struct cap_def *cap_find(const char *name);
/* cap_value: the CAP LS 302 value of cd for c ("" when it has none; the
 * sts port policy written into buf, size bytes), or NULL when cd is not
 * offered to c. */
const char *cap_value(struct client *c, const struct cap_def *cd, char *buf, size_t size);

#endif
