/* fuzz_parser.c - libFuzzer target for the pure parsing code: message_parse,
 * message_tag_next, message_body_len, mode_parse, the casemap functions,
 * name validation and mask_normalise. Every result is checked against the
 * contracts in include/message.h, mode.h and casemap.h; the glob matcher and
 * nick_valid are also compared with simple reference implementations. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/channel.h"
#include "fuzz.h"
#include "proto/message.h"
#include "proto/mode.h"

/* inside: p points into buf[0..len] (the NUL included). */
static bool
inside(const char *p, const char *buf, size_t len)
{
	return p >= buf && p <= buf + len;
}

/* ref_match: reference glob matcher (dynamic programming over tokens) with
 * the semantics documented in casemap.h: '*' any run, '?' one byte, "\*"
 * and "\?" the literal, any other '\' an ordinary byte; case-insensitive. */
static bool
ref_match(enum casemapping cm, const char *mask, const char *str)
{
	enum { T_STAR, T_ANY, T_LIT };
	size_t mlen = strlen(mask), slen = strlen(str), nt = 0, i, j;
	unsigned char *kind, *lit;
	bool *prev, *cur, r;

	kind = malloc(mlen + 1);
	lit = malloc(mlen + 1);
	prev = calloc(slen + 1, sizeof(bool));
	cur = calloc(slen + 1, sizeof(bool));
	if (kind == NULL || lit == NULL || prev == NULL || cur == NULL)
		abort();
	for (i = 0; i < mlen; i++) {
		if (mask[i] == '*')
			kind[nt++] = T_STAR;
		else if (mask[i] == '?')
			kind[nt++] = T_ANY;
		else if (mask[i] == '\\' && i + 1 < mlen &&
		    (mask[i + 1] == '*' || mask[i + 1] == '?')) {
			lit[nt] = (unsigned char)mask[++i]; /* "\*", "\?": the literal */
			kind[nt++] = T_LIT;
		} else {
			lit[nt] = casemap_lower(cm, (unsigned char)mask[i]);
			kind[nt++] = T_LIT;
		}
	}
	/* prev[j]: tokens [0, t) match str[0, j). */
	prev[0] = true;
	for (i = 0; i < nt; i++) {
		for (j = 0; j <= slen; j++) {
			switch (kind[i]) {
			case T_STAR:
				cur[j] = prev[j] || (j > 0 && cur[j - 1]);
				break;
			case T_ANY:
				cur[j] = j > 0 && prev[j - 1];
				break;
			case T_LIT:
				cur[j] = j > 0 && prev[j - 1] &&
				    casemap_lower(cm, (unsigned char)str[j - 1]) == lit[i];
				break;
			default:
				cur[j] = false;
				break;
			}
		}
		memcpy(prev, cur, (slen + 1) * sizeof(bool));
	}
	r = prev[slen];
	free(kind);
	free(lit);
	free(prev);
	free(cur);
	return r;
}

/* ref_nick_valid: RFC 2812 §2.3.1 nickname, written out directly. */
static bool
ref_nick_valid(const char *nick, size_t nicklen)
{
	static const char special[] = "[]\\`_^{|}";
	size_t i, len = strlen(nick);

	if (len == 0 || len > nicklen)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)nick[i];
		bool letter = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
		bool spec = ch != '\0' && strchr(special, ch) != NULL;
		bool rest = (ch >= '0' && ch <= '9') || ch == '-';
		if (!(letter || spec || (i > 0 && rest)))
			return false;
	}
	return true;
}

/* check_names: the name and matching functions on one piece of input. */
static void
check_names(const char *a, const char *b)
{
	static const enum casemapping cms[] = { CASEMAP_RFC1459, CASEMAP_ASCII };
	char fa[64], fb[64], norm[300], small[12];
	size_t i, la = strlen(a), lb = strlen(b), n;

	for (i = 0; i < sizeof(cms) / sizeof(cms[0]); i++) {
		enum casemapping cm = cms[i];
		bool m;

		n = casemap_fold(cm, fa, a, sizeof(fa));
		FUZZ_CHECK(n < sizeof(fa) && n == strlen(fa), "fold length %zu", n);
		FUZZ_CHECK(n == (la < sizeof(fa) ? la : sizeof(fa) - 1),
		    "fold of %zu bytes gave %zu", la, n);
		n = casemap_fold(cm, fb, b, sizeof(fb));
		if (la < sizeof(fa) && lb < sizeof(fb))
			FUZZ_CHECK((strcmp(fa, fb) == 0) == (casemap_cmp(cm, a, b) == 0),
			    "casemap_cmp disagrees with casemap_fold for '%s' '%s'", a, b);
		FUZZ_CHECK(casemap_cmp(cm, a, a) == 0, "'%s' differs from itself", a);
		FUZZ_CHECK(casemap_fold(cm, small, a, 0) == 0, "fold into 0 bytes");
		FUZZ_CHECK(casemap_match(cm, "*", a), "'*' does not match '%s'", a);
		if (strpbrk(a, "*?\\") == NULL)
			FUZZ_CHECK(casemap_match(cm, a, a), "'%s' does not match itself", a);
		/* The glob matcher is O(len(mask) * len(str)); bound the
		 * reference to keep each run fast. */
		if (la <= 100 && lb <= 100) {
			m = casemap_match(cm, a, b);
			FUZZ_CHECK(m == ref_match(cm, a, b), "casemap_match('%s', '%s') = %d", a, b,
			    m);
			m = casemap_match(cm, b, a);
			FUZZ_CHECK(m == ref_match(cm, b, a), "casemap_match('%s', '%s') = %d", b, a,
			    m);
		}
	}
	for (n = 0; n <= 40; n += 9)
		FUZZ_CHECK(nick_valid(a, n) == ref_nick_valid(a, n), "nick_valid('%s', %zu)", a, n);
	if (channel_name_valid(a, 50)) {
		FUZZ_CHECK(la >= 2 && la <= 50 && strchr("#&+!", a[0]) != NULL, "channel '%s'", a);
		FUZZ_CHECK(strpbrk(a, " ,:\a\r\n") == NULL, "channel '%s' has a forbidden byte", a);
	}
	if (user_valid(a))
		FUZZ_CHECK(la > 0 && strpbrk(a, " @\r\n") == NULL, "user '%s'", a);
	mask_normalise(a, norm, sizeof(norm));
	FUZZ_CHECK(strlen(norm) < sizeof(norm), "mask_normalise overflow");
	if (la + 5 < sizeof(norm))
		FUZZ_CHECK(strchr(norm, '!') != NULL && strchr(norm, '@') != NULL && norm[0] != '!',
		    "mask_normalise('%s') = '%s'", a, norm);
	mask_normalise(a, small, sizeof(small));
	FUZZ_CHECK(strlen(small) < sizeof(small), "mask_normalise overflow (small)");
}

/* check_modes: mode_parse on a MODE-like parameter list. */
static void
check_modes(char *const *params, int nparams)
{
	struct mode_change out[16];
	int n, i, max, maxp;

	if (nparams < 1)
		return;
	for (max = 1; max <= 16; max += 15) {
		for (maxp = 0; maxp <= 4; maxp += 2) {
			n = mode_parse(params[0], params + 1, nparams - 1, out, max, maxp);
			FUZZ_CHECK(n >= 0 && n <= max, "mode_parse returned %d (max %d)", n, max);
			int withparam = 0;
			for (i = 0; i < n; i++) {
				FUZZ_CHECK(out[i].dir == '+' || out[i].dir == '-', "dir %d",
				    out[i].dir);
				FUZZ_CHECK(out[i].mode != '+' && out[i].mode != '-' &&
					out[i].mode != '\0',
				    "mode letter %d", out[i].mode);
				FUZZ_CHECK(strchr(params[0], out[i].mode) != NULL,
				    "letter not in the string");
				if (out[i].arg != NULL) {
					bool found = false;
					int k;
					for (k = 1; k < nparams; k++)
						found |= out[i].arg == params[k];
					FUZZ_CHECK(found,
					    "mode argument is not one of the parameters");
					FUZZ_CHECK(!out[i].missing_arg, "argument and missing_arg");
					withparam++;
				}
				if (mode_channel_kind(out[i].mode) == MODE_NEVER ||
				    mode_channel_kind(out[i].mode) == MODE_UNKNOWN)
					FUZZ_CHECK(out[i].arg == NULL && !out[i].missing_arg,
					    "mode %c takes no argument", out[i].mode);
			}
			FUZZ_CHECK(withparam <= maxp, "%d parameters kept, MODES %d", withparam,
			    maxp);
		}
	}
}

/* serialise: the parsed message back as a line (tags and prefix raw). */
static size_t
serialise(const struct irc_msg *m, char *out, size_t size)
{
	size_t len = 0;
	int i;

	if (m->tags != NULL)
		len += (size_t)snprintf(out + len, size - len, "@%s ", m->tags);
	if (m->prefix != NULL)
		len += (size_t)snprintf(out + len, size - len, ":%s ", m->prefix);
	len += (size_t)snprintf(out + len, size - len, "%s", m->verb);
	for (i = 0; i < m->nparams; i++) {
		bool trailing = i == m->nparams - 1 &&
		    (m->params[i][0] == '\0' || m->params[i][0] == ':' ||
			strchr(m->params[i], ' '));
		len += (size_t)snprintf(out + len, size - len, " %s%s", trailing ? ":" : "",
		    m->params[i]);
	}
	return len;
}

/* check_split: message_split_tags gives client-only tags that follow the
 * message-tags grammar in canonical escaped form (what is relayed), and a
 * label of 1..64 bytes whose escaped form unescapes back to it. */
static void
check_split(struct irc_msg *m)
{
	static char ct[IRC_CLIENT_TAGS_MAX + 2], esc[2 * IRC_LABEL_MAX + 8];
	char label[IRC_LABEL_MAX + 1], *cur, *k, *v, *p, *seg, *eq;
	size_t n;

	message_split_tags(m, ct, sizeof(ct), label, sizeof(label));
	if (m->client_tags != NULL) {
		FUZZ_CHECK(m->client_tags == ct && ct[0] != '\0', "client_tags");
		FUZZ_CHECK(strcspn(ct, " \r\n") == strlen(ct), "raw space/CR/LF in '%s'", ct);
		for (p = ct; p != NULL; p = seg ? seg + 1 : NULL) {
			seg = strchr(p, ';');
			n = seg ? (size_t)(seg - p) : strlen(p);
			eq = memchr(p, '=', n);
			FUZZ_CHECK(p[0] == '+' &&
				message_tag_key_valid(p, eq ? (size_t)(eq - p) : n),
			    "relayed key in '%s'", ct);
			for (v = eq ? eq + 1 : p + n; v < p + n; v++) {
				if (*v != '\\')
					continue;
				FUZZ_CHECK(v + 1 < p + n && strchr(":s\\rn", v[1]) != NULL,
				    "non-canonical relayed value in '%s'", ct);
				v++;
			}
		}
	}
	if (m->label != NULL) {
		n = strlen(m->label);
		FUZZ_CHECK(m->label == label && n > 0 && n <= IRC_LABEL_MAX, "label of %zu", n);
		memcpy(esc, "label=", 6);
		FUZZ_CHECK(message_tag_escape(esc + 6, sizeof(esc) - 6, label, n) != (size_t)-1,
		    "label does not escape");
		FUZZ_CHECK(strcspn(esc, " ;\r\n") == strlen(esc), "escaped label '%s'", esc);
		cur = esc;
		FUZZ_CHECK(message_tag_next(&cur, &k, &v) && strcmp(v, label) == 0,
		    "label round trip");
	}
}

/* check_message: parse invariants, then a round trip through serialise. */
static void
check_message(char *buf, size_t len)
{
	struct irc_msg m, m2;
	enum msg_parse_result r;
	char *again, *cursor, *key, *value;
	size_t alen, body, ntags = 0;
	int i;

	body = message_body_len(buf, len);
	FUZZ_CHECK(body <= len, "body %zu > len %zu", body, len);
	if (len == 0 || buf[0] != '@')
		FUZZ_CHECK(body == len, "untagged body %zu != %zu", body, len);

	r = message_parse(buf, &m);
	FUZZ_CHECK(r == MSG_OK || r == MSG_EMPTY || r == MSG_BAD_TAGS, "result %d", r);
	FUZZ_CHECK(m.nparams >= 0 && m.nparams <= IRC_MAX_PARAMS, "nparams %d", m.nparams);
	if (r != MSG_OK)
		return;
	FUZZ_CHECK(m.verb != NULL && inside(m.verb, buf, len) && m.verb[0] != '\0', "verb");
	for (key = m.verb; *key != '\0'; key++)
		FUZZ_CHECK(*key != ' ' && !(*key >= 'a' && *key <= 'z'), "verb '%s'", m.verb);
	if (m.tags != NULL) {
		FUZZ_CHECK(inside(m.tags, buf, len) && m.tags == buf + 1 + (strspn(buf, " ")),
		    "tags pointer");
		FUZZ_CHECK(strchr(m.tags, ' ') == NULL && strlen(m.tags) < IRC_TAGS_MAX, "tags");
	}
	if (m.prefix != NULL)
		FUZZ_CHECK(inside(m.prefix, buf, len) && strchr(m.prefix, ' ') == NULL, "prefix");
	for (i = 0; i < m.nparams; i++) {
		FUZZ_CHECK(m.params[i] != NULL && inside(m.params[i], buf, len), "param %d", i);
		FUZZ_CHECK(m.params[i] > m.verb, "param %d before the verb", i);
		if (i < m.nparams - 1)
			FUZZ_CHECK(m.params[i][0] != '\0' && m.params[i][0] != ':' &&
				strchr(m.params[i], ' ') == NULL,
			    "middle param %d '%s'", i, m.params[i]);
		if (i > 0)
			FUZZ_CHECK(m.params[i] > m.params[i - 1], "params out of order");
	}
	for (i = m.nparams; i < IRC_MAX_PARAMS; i++)
		FUZZ_CHECK(m.params[i] == NULL, "unused param %d set", i);

	/* Round trip: serialising and parsing again gives the same message. */
	again = malloc(len + 64);
	if (again == NULL)
		abort();
	alen = serialise(&m, again, len + 64);
	FUZZ_CHECK(alen < len + 64, "serialised longer than the input");
	r = message_parse(again, &m2);
	FUZZ_CHECK(r == MSG_OK, "round trip of '%s' gave %d", again, r);
	FUZZ_CHECK(strcmp(m.verb, m2.verb) == 0, "verb '%s' != '%s'", m.verb, m2.verb);
	FUZZ_CHECK(m.nparams == m2.nparams, "nparams %d != %d", m.nparams, m2.nparams);
	FUZZ_CHECK((m.tags == NULL) == (m2.tags == NULL) &&
		(m.tags == NULL || strcmp(m.tags, m2.tags) == 0),
	    "tags");
	FUZZ_CHECK((m.prefix == NULL) == (m2.prefix == NULL) &&
		(m.prefix == NULL || strcmp(m.prefix, m2.prefix) == 0),
	    "prefix");
	for (i = 0; i < m.nparams; i++)
		FUZZ_CHECK(strcmp(m.params[i], m2.params[i]) == 0, "param %d '%s' != '%s'", i,
		    m.params[i], m2.params[i]);
	free(again);

	check_modes(m.params, m.nparams);
	for (i = 0; i + 1 < m.nparams && i < 4; i++)
		check_names(m.params[i], m.params[i + 1]);
	if (m.nparams == 1)
		check_names(m.params[0], m.verb);
	if (m.prefix != NULL)
		check_names(m.prefix, m.verb);

	check_split(&m);
	/* Tags last: message_tag_next unescapes in place. */
	cursor = m.tags;
	while (message_tag_next(&cursor, &key, &value)) {
		FUZZ_CHECK(inside(key, buf, len), "tag key outside the buffer");
		FUZZ_CHECK(value != NULL && (value[0] == '\0' || inside(value, buf, len)),
		    "tag value outside the buffer");
		FUZZ_CHECK(strchr(key, ';') == NULL && strchr(key, '=') == NULL, "key '%s'", key);
		FUZZ_CHECK(cursor != NULL && inside(cursor, buf, len), "cursor outside the buffer");
		FUZZ_CHECK(++ntags <= len, "tag iteration does not end");
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FUZZ_SAVE_STDERR();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;
	size_t len;

	/* The server hands message_parse a NUL-terminated line of at most
	 * IRC_INPUT_MAX bytes without CR LF or NUL (conn.c refuses NUL). The
	 * copy is a heap block of exactly that size, so ASan sees any read
	 * past its end. */
	len = strnlen((const char *)data, size < IRC_INPUT_MAX ? size : IRC_INPUT_MAX);
	buf = malloc(len + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, len);
	buf[len] = '\0';
	check_message(buf, len);
	free(buf);
	return 0;
}
