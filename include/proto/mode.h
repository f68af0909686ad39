/* mode.h - the channel-mode and user-mode tables and everything derived from
 * them: MODE string parsing, the ISUPPORT CHANMODES/PREFIX/STATUSMSG tokens,
 * the RPL_MYINFO (004) mode lists, the RPL_CHANNELMODEIS (324) and
 * RPL_UMODEIS (221) strings, member prefixes, and the packing of applied
 * changes into MODE lines of at most 512 bytes. Pure functions over bytes and
 * core state (unit-tested in tests/unit/test_mode.c).
 *
 * Adding a channel mode: one row in chanmode_table (src/proto/mode.c), a bit
 * in enum channel_mode or enum member_mode (core/channel.h), and its
 * enforcement (JOIN, PRIVMSG, ...). Parsing, applying (for flags, lists and
 * member modes), 004, 005 and 324 follow from the row.
 *
 * References: RFC 2811 §4, RFC 2812 §3.1.5, Modern IRC "MODE message",
 * "Channel Modes", "RPL_ISUPPORT Parameters" (CHANMODES types A-D, PREFIX). */
#ifndef EVIRCD_MODE_H
#define EVIRCD_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct channel;

/* ISUPPORT MODES: parameter-taking changes applied from one client MODE. */
#define MODES_PER_COMMAND 4

/* One requested change. arg points into the caller's parameters or is NULL. */
struct mode_change {
	char dir; /* '+' or '-' */
	char mode; /* the letter */
	const char *arg; /* parameter, or NULL */
	bool missing_arg; /* the letter needs a parameter that was not given */
};

/* How a channel mode letter takes parameters (ISUPPORT CHANMODES types). */
enum mode_kind {
	MODE_UNKNOWN = 0,
	MODE_LIST, /* A: b e I - parameter when given, else a list query */
	MODE_ALWAYS, /* B: k o v - parameter on set and unset (k: on unset if given) */
	MODE_SET, /* C: l - parameter on set only */
	MODE_NEVER, /* D: i m n p s t */
};

/* Who may change a channel mode. */
enum mode_who {
	MODE_BY_CHANOP = 0, /* channel operators (and the server) */
	MODE_BY_HALFOP, /* reserved: no half-operator status exists yet */
	MODE_BY_SERVER, /* the server only (never through a client's MODE) */
};

/* Per-row flags of a channel mode. */
enum mode_row_flag {
	MODEF_UNSET_ARG_OPT = 1u << 0, /* unset takes its parameter only if one is given (-k) */
	MODEF_OPS_QUERY = 1u << 1, /* list shown to channel operators only (e, I) */
	MODEF_SECRET_ARG = 1u << 2, /* 324 shows the parameter to members only (k, l) */
};

/* One channel mode. Exactly one of bit, list (kind MODE_LIST) or member
 * (prefix != 0) describes its state. */
struct chanmode_def {
	char letter;
	uint8_t kind; /* enum mode_kind */
	uint8_t who; /* enum mode_who */
	uint8_t flags; /* enum mode_row_flag */
	uint32_t bit; /* enum channel_mode bit for D, B (k) and C kinds */
	uint8_t list; /* enum mask_list_kind for MODE_LIST */
	uint8_t member; /* enum member_mode bit for prefix modes, else 0 */
	char prefix; /* PREFIX symbol ('@', '+'), 0 for non-member modes */
	short rpl_item; /* list reply (367/348/346) for MODE_LIST */
	short rpl_end; /* end of list (368/349/347) */
};

/* The channel-mode table, in 004 order; member modes by descending rank. */
extern const struct chanmode_def chanmode_table[];
extern const size_t chanmode_count;

/* Who may change a user mode. */
enum umode_who {
	UMODE_BY_USER = 0, /* the user sets and unsets it */
	UMODE_BY_OPER, /* OPER grants it; the user may only unset it (o) */
	UMODE_BY_SERVER, /* the server sets it; MODE ignores it both ways (z) */
};

/* One user mode. */
struct usermode_def {
	char letter;
	uint8_t who; /* enum umode_who */
	uint32_t bit; /* enum user_mode */
};

/* The user-mode table, in 004 / 221 order. */
extern const struct usermode_def usermode_table[];
extern const size_t usermode_count;

/* mode_channel_find: the row of a channel mode letter, NULL if unknown. */
const struct chanmode_def *mode_channel_find(char letter);
/* mode_channel_kind: the kind of a channel mode letter (MODE_UNKNOWN if none). */
enum mode_kind mode_channel_kind(char letter);
/* mode_user_find: the row of a user mode letter, NULL if unknown. */
const struct usermode_def *mode_user_find(char letter);

/* mode_parse: walk modestr ("+o-v", default direction '+') with the
 * parameters args[0..nargs), filling at most max changes into out. Unknown
 * letters are returned with kind MODE_UNKNOWN so the caller can send 472.
 * At most max_param changes that take a parameter are kept (MODES);
 * returns the number of entries written. */
int mode_parse(const char *modestr, char *const *args, int nargs, struct mode_change *out, int max,
    int max_param);

/* Derived strings. Each writes a NUL-terminated string into buf (size
 * bytes, cut if too small) and returns buf. */
/* mode_isupport_chanmodes: "beI,k,l,imnpst" (without "CHANMODES="). */
char *mode_isupport_chanmodes(char *buf, size_t size);
/* mode_isupport_prefix: "(ov)@+" (without "PREFIX="). */
char *mode_isupport_prefix(char *buf, size_t size);
/* mode_isupport_lists: "beI": the list modes (MAXLIST). */
char *mode_isupport_lists(char *buf, size_t size);
/* mode_list_letter: the letter of the list mode for list (enum
 * mask_list_kind): EXCEPTS=e, INVEX=I. */
char mode_list_letter(int list);
/* mode_isupport_statusmsg: "@+": the prefix symbols. */
char *mode_isupport_statusmsg(char *buf, size_t size);
/* mode_myinfo_user / mode_myinfo_chan / mode_myinfo_chan_param: the three
 * mode parameters of RPL_MYINFO (004): user modes, channel modes, channel
 * modes that take a parameter. */
char *mode_myinfo_user(char *buf, size_t size);
char *mode_myinfo_chan(char *buf, size_t size);
char *mode_myinfo_chan_param(char *buf, size_t size);
/* mode_user_string: "+iowzB"-style string of the set user modes (221). */
char *mode_user_string(uint32_t umodes, char *buf, size_t size);
/* mode_channel_string: the 324 mode string ("+ntkl key 10"); parameters of
 * MODEF_SECRET_ARG modes only when show_args (RFC 2811: for members). */
char *mode_channel_string(const struct channel *ch, bool show_args, char *buf, size_t size);
/* mode_prefix_str: the member prefix symbols for member modes `modes`: the
 * highest only, or all by rank when multi (IRCv3 multi-prefix). buf holds at
 * least 4 bytes. Returns buf ("" for no status). */
char *mode_prefix_str(uint8_t modes, bool multi, char *buf);

/* MODE line packing. A change as applied: the argument is copied. */
struct mode_applied {
	char dir;
	char mode;
	const char *arg; /* NULL for none; points into mode_lines.argbuf */
};

#define MODE_LINE_MAX_CHANGES 64
#define MODE_LINE_MAX_PARAMS  12 /* per line: with target and modes <= 15 (RFC 2812 §2.3) */

/* The changes of one MODE command (or server-set mode burst). */
struct mode_lines {
	struct mode_applied ch[MODE_LINE_MAX_CHANGES];
	int n;
	char argbuf[4096]; /* copied arguments */
	size_t arglen;
};

/* mode_lines_add: record an applied change; arg (or NULL) is copied.
 * Returns false (nothing recorded) when the buffer is full. */
bool mode_lines_add(struct mode_lines *ml, char dir, char mode, const char *arg);
/* mode_lines_pack: split the recorded changes into MODE lines
 * "<head> <modes> <args...>" where head is e.g. ":nick!user@host MODE #chan".
 * Each line is at most linemax bytes (without CRLF and tags: IRCv3 message
 * tags have their own budget) and carries exactly the parameters of its
 * letters. emit is called once per line with a NUL-terminated line. A change
 * that cannot fit on a line even alone is skipped (callers bound arguments so
 * that never happens: mode_mask_max). Returns the number of lines. */
int mode_lines_pack(const struct mode_lines *ml, const char *head, size_t linemax,
    void (*emit)(void *ctx, const char *line, size_t len), void *ctx);

/* mode_mask_max: the longest list mask accepted for a channel named
 * chanlen bytes, such that "+b <mask>" fits a MODE line from the longest
 * allowed source prefix (nicklen) and "367 <nick> <chan> <mask>" fits a
 * reply from a server named srvlen bytes to the longest nick. At most 250. */
size_t mode_mask_max(size_t srvlen, size_t nicklen, size_t chanlen);

#endif
