/* test_h_channel.c - JOIN PART KICK INVITE TOPIC NAMES LIST through the
 * in-process harness. RFC 2812 §3.2, RFC 2811, Modern IRC "Channel
 * Operations". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/server.h"

#include "harness.h"

/* RFC 2812 §3.2.1: the JOIN echo, then the topic (if any), then NAMES
 * (353 with the members, 366). The creator is a channel operator. */
START_TEST(join_create)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #Chan");
	fc_expect_next(a, PFX("alice") "JOIN :?#Chan$");
	fc_expect_next(a, NUM("353", "alice") "[=*@] #Chan :@alice$");
	fc_expect_next(a, NUM("366", "alice") "#Chan :");
	fc_expect_none(a, " 332 ");
	/* a second member: both see the JOIN; NAMES lists both */
	fc_send(b, "JOIN #chan"); /* case-insensitive: the same channel */
	fc_expect_next(b, PFX("bob") "JOIN :?#Chan$");
	{
		const char *l = fc_expect_next(b, NUM("353", "bob") "[=*@] #Chan :");
		ck_assert_msg(h_regex_match(":(@alice bob|bob @alice)$", l), "%s", l);
	}
	fc_expect_next(b, NUM("366", "bob") "#Chan :");
	fc_expect(a, PFX("bob") "JOIN :?#Chan$");
	ck_assert_uint_eq(fc_count(a, "JOIN"), 0); /* exactly one */
	/* joining again is a no-op */
	fc_clear(b);
	fc_send(b, "JOIN #chan");
	fc_expect_none(b, "JOIN|353|366");
	fc_expect_none(a, "JOIN");
	h_free(h);
}
END_TEST

START_TEST(join_list_and_keys)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #k1,#k2");
	fc_send(a, "MODE #k1 +k one");
	fc_send(a, "MODE #k2 +k two");
	fc_expect(a, PFX("alice") "MODE #k2 \\+k two$");
	fc_send(b, "JOIN #k1,#k2,#k3 one,two");
	fc_expect(b, PFX("bob") "JOIN :?#k1$");
	fc_expect(b, PFX("bob") "JOIN :?#k2$");
	fc_expect(b, PFX("bob") "JOIN :?#k3$");
	fc_expect_none(b, " 475 ");
	h_free(h);
}
END_TEST

/* Issue 9 item 8: JOIN keys are positional (RFC 2812 §3.2.1): in
 * "JOIN #nokey,#key ,secret" the empty first key belongs to #nokey and
 * "secret" to #key. A splitter that skips empty items handed "secret" to
 * #nokey and nothing to #key (475). */
START_TEST(join_keys_positional)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #nokey,#key");
	fc_send(a, "MODE #key +k secret");
	fc_expect(a, PFX("alice") "MODE #key \\+k secret$");
	fc_send(b, "JOIN #nokey,#key ,secret");
	fc_expect(b, PFX("bob") "JOIN :?#nokey$");
	fc_expect(b, PFX("bob") "JOIN :?#key$");
	fc_expect_none(b, " 475 ");
	/* and the key stays with its channel when the keyed one comes first */
	fc_send(b, "PART #nokey,#key");
	fc_send(b, "JOIN #key,#nokey secret,");
	fc_expect(b, PFX("bob") "JOIN :?#key$");
	fc_expect(b, PFX("bob") "JOIN :?#nokey$");
	fc_expect_none(b, " 475 ");
	/* a wrong key for #key is not rescued by a later item */
	fc_send(b, "PART #nokey,#key");
	fc_send(b, "JOIN #nokey,#key secret,");
	fc_expect(b, PFX("bob") "JOIN :?#nokey$");
	fc_expect(b, NUM("475", "bob") "#key :");
	h_free(h);
}
END_TEST

/* The same class in KICK (RFC 2812 §3.2.8): channels and users pair by
 * position, so "KICK #a,#b ,bob" kicks bob from #b only, never from #a. */
START_TEST(kick_pairs_positional)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #a,#b");
	fc_send(b, "JOIN #a,#b");
	fc_expect(b, NUM("366", "bob") "#b :");
	fc_clear(a);
	fc_clear(b);
	fc_send(a, "KICK #a,#b ,bob :out");
	fc_expect(b, PFX("alice") "KICK #b bob :out$");
	fc_expect_none(b, "KICK #a ");
	fc_send(b, "PRIVMSG #a :still here");
	fc_expect(a, PFX("bob") "PRIVMSG #a :still here$");
	h_free(h);
}
END_TEST

/* Issue 9 item 5: ISUPPORT says TARGMAX=NAMES:1,LIST:1: a duplicate
 * (after casefolding) is answered once, a second channel gets 407
 * ERR_TOOMANYTARGETS (RFC 2812 §5; Modern IRC TARGMAX). 120 copies of
 * "#a" used to give 120 answers. */
START_TEST(names_list_targmax)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char line[400];
	size_t o = 0;
	int i;

	fc_send(a, "JOIN #a,#b");
	fc_expect(a, NUM("366", "alice") "#b :");
	fc_clear(a);
	o += (size_t)snprintf(line + o, sizeof(line) - o, "NAMES #a");
	for (i = 0; i < 60; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, ",%s", i % 2 ? "#A" : "#a");
	fc_send(b, "%s", line);
	ck_assert_uint_eq(fc_count(b, NUM("353", "bob") ". #a :"), 1);
	ck_assert_uint_eq(fc_count(b, NUM("366", "bob") "#a :"), 1);
	fc_expect_none(b, " 407 ");
	fc_clear(b);
	fc_send(b, "NAMES #a,#b,#c");
	ck_assert_uint_eq(fc_count(b, NUM("366", "bob")), 1);
	fc_expect(b, NUM("366", "bob") "#a :");
	fc_expect(b, NUM("407", "bob") "#b :");
	fc_expect_none(b, "#c");
	/* LIST:1 */
	fc_send(b, "LIST #a,#a,#A");
	ck_assert_uint_eq(fc_count(b, NUM("322", "bob") "#a "), 1);
	fc_expect_none(b, " 407 ");
	fc_clear(b);
	fc_send(b, "LIST #a,#b");
	fc_expect(b, NUM("322", "bob") "#a ");
	fc_expect(b, NUM("407", "bob") "#b :");
	fc_expect(b, NUM("323", "bob"));
	fc_expect_none(b, "322 bob #b");
	/* PART (no limit): a channel named twice is parted once, no 442 */
	fc_send(a, "PART #a,#A,#a");
	ck_assert_uint_eq(fc_count(a, PFX("alice") "PART #a"), 1);
	fc_expect_none(a, " 442 ");
	/* JOIN: a duplicate channel is joined once, a duplicate failure
	 * answered once */
	fc_send(a, "MODE #b +i");
	fc_send(b, "JOIN #b,#B,#b,#b");
	ck_assert_uint_eq(fc_count(b, NUM("473", "bob") "#b :"), 1);
	h_free(h);
}
END_TEST

/* KICK: a user named twice is kicked once (no 441 for the second). */
START_TEST(kick_duplicate_users)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#c");
	fc_send(a, "KICK #c bob,BOB,bob :x");
	ck_assert_uint_eq(fc_count(a, PFX("alice") "KICK #c bob :x$"), 1);
	fc_expect_none(a, " 441 ");
	h_free(h);
}
END_TEST

START_TEST(join_errors)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a;
	char longname[64];

	cfg->max_channels_per_user = 2;
	h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	fc_send(a, "JOIN");
	fc_expect(a, NUM("461", "alice") "JOIN :");
	/* not a channel name at all (RFC 2812: 403 ERR_NOSUCHCHANNEL) */
	fc_send(a, "JOIN nochan");
	fc_expect(a, NUM("(403|476)", "alice") "nochan :");
	/* a forbidden character (RFC 2811 §2.1) */
	fc_send(a,
	    "JOIN #a\x07"
	    "b");
	fc_expect(a, NUM("(403|476|479)", "alice"));
	/* longer than CHANNELLEN=50 */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '#';
	longname[sizeof(longname) - 1] = '\0';
	fc_send(a, "JOIN %s", longname);
	fc_expect(a, NUM("(403|476|479)", "alice") "#x+ :");
	fc_expect_none(a, "JOIN");
	/* CHANLIMIT: one more than max_channels_per_user gets 405 */
	fc_send(a, "JOIN #one,#two,#three");
	fc_expect(a, PFX("alice") "JOIN :?#one$");
	fc_expect(a, PFX("alice") "JOIN :?#two$");
	fc_expect(a, NUM("405", "alice") "#three :");
	fc_expect_none(a, "JOIN :?#three");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.2.1 / Modern IRC: 475 wrong key, 471 full, 473 invite only,
 * 474 banned. */
START_TEST(join_restrictions)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #k");
	fc_send(a, "MODE #k +k sesame");
	fc_expect(a, PFX("alice") "MODE #k \\+k sesame$");
	fc_send(b, "JOIN #k");
	fc_expect(b, NUM("475", "bob") "#k :");
	fc_send(b, "JOIN #k wrong");
	fc_expect(b, NUM("475", "bob") "#k :");
	fc_send(b, "JOIN #k sesame");
	fc_expect(b, PFX("bob") "JOIN :?#k$");

	fc_send(a, "JOIN #l");
	fc_send(a, "MODE #l +l 1");
	fc_expect(a, PFX("alice") "MODE #l \\+l 1$");
	fc_send(b, "JOIN #l");
	fc_expect(b, NUM("471", "bob") "#l :");

	fc_send(a, "JOIN #i");
	fc_send(a, "MODE #i +i");
	fc_expect(a, PFX("alice") "MODE #i \\+i$");
	fc_send(b, "JOIN #i");
	fc_expect(b, NUM("473", "bob") "#i :");

	fc_send(a, "JOIN #b");
	fc_send(a, "MODE #b +b carol");
	fc_expect(a, PFX("alice") "MODE #b \\+b carol!\\*@\\*$");
	fc_send(c, "JOIN #b");
	fc_expect(c, NUM("474", "carol") "#b :");
	fc_send(b, "JOIN #b");
	fc_expect(b, PFX("bob") "JOIN :?#b$");
	h_free(h);
}
END_TEST

/* Modern IRC "JOIN message": "JOIN 0" parts every channel. */
START_TEST(join_zero)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#x");
	fc_send(a, "JOIN #y");
	fc_clear(a);
	fc_send(a, "JOIN 0");
	ck_assert_uint_eq(fc_count(a, PFX("alice") "PART #x"), 1);
	ck_assert_uint_eq(fc_count(a, PFX("alice") "PART #y"), 1);
	fc_expect(b, PFX("alice") "PART #x");
	fc_send(a, "NAMES #x");
	fc_expect(a, NUM("353", "alice") "[=*@] #x :@?bob$");
	ck_assert_ptr_null(server_find_channel(h->srv, "#y"));
	h_free(h);
}
END_TEST

START_TEST(part)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#p");
	fc_send(b, "PART #p :see you later");
	fc_expect(b, PFX("bob") "PART #p :see you later$");
	fc_expect(a, PFX("bob") "PART #p :see you later$");
	fc_send(b, "PART #p");
	fc_expect(b, NUM("442", "bob") "#p :");
	fc_send(b, "PART #nonexistent");
	fc_expect(b, NUM("403", "bob") "#nonexistent :");
	fc_send(b, "PART");
	fc_expect(b, NUM("461", "bob") "PART :");
	/* the last one out: the channel ceases to exist (RFC 2811 §3.1),
	 * and whoever joins next creates it and is its operator */
	fc_send(a, "PART #p");
	fc_expect(a, PFX("alice") "PART #p$");
	ck_assert_ptr_null(server_find_channel(h->srv, "#p"));
	fc_send(b, "JOIN #p");
	fc_expect(b, NUM("353", "bob") "[=*@] #p :@bob$");
	h_free(h);
}
END_TEST

START_TEST(part_many)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_send(a, "JOIN #a,#b");
	fc_clear(a);
	fc_send(a, "PART #a,#b,#c :bye");
	fc_expect(a, PFX("alice") "PART #a :bye$");
	fc_expect(a, PFX("alice") "PART #b :bye$");
	fc_expect(a, NUM("403", "alice") "#c :");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.2.8 / Modern IRC "KICK message". */
START_TEST(kick)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#k");
	c = fc_new(h, "carol");
	/* not an operator: 482 */
	fc_send(b, "KICK #k alice :no");
	fc_expect(b, NUM("482", "bob") "#k :");
	fc_expect_none(a, "KICK");
	/* the operator kicks: everyone in the channel sees it, reason kept */
	fc_send(a, "KICK #k bob :behave");
	fc_expect(a, PFX("alice") "KICK #k bob :behave$");
	fc_expect(b, PFX("alice") "KICK #k bob :behave$");
	/* bob is out */
	fc_send(a, "NAMES #k");
	fc_expect(a, NUM("353", "alice") "[=*@] #k :@alice$");
	/* target not on the channel: 441; kicker not on it: 442; no channel: 403 */
	fc_send(a, "KICK #k bob");
	fc_expect(a, NUM("441", "alice") "bob #k :");
	fc_send(c, "KICK #k alice");
	fc_expect(c, NUM("442", "carol") "#k :");
	fc_send(a, "KICK #nope bob");
	fc_expect(a, NUM("403", "alice") "#nope :");
	fc_send(a, "KICK #k");
	fc_expect(a, NUM("461", "alice") "KICK :");
	h_free(h);
}
END_TEST

/* Without a comment the server uses a default one (Modern IRC). */
START_TEST(kick_default_reason)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#k");
	fc_send(a, "KICK #k bob");
	fc_expect(b, PFX("alice") "KICK #k bob :[^ ]");
	h_free(h);
}
END_TEST

/* KICKLEN=390: a longer comment is cut to 390 bytes, and never inside a
 * UTF-8 sequence (the reply rules of this server, CONVENTIONS.md §3;
 * Modern IRC "Character encodings"). */
START_TEST(kick_len)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;
	char reason[480]; /* + "KICK #k carol :" stays within 510 */
	const char *l;

	h_two_in_channel(h, &a, &b, "#k");
	c = fc_new(h, "carol");
	fc_send(c, "JOIN #k");
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	fc_send(a, "KICK #k bob :%s", reason);
	l = fc_expect(a, PFX("alice") "KICK #k bob :r+$");
	ck_assert_uint_eq(strlen(strstr(l, " :") + 2), 390);
	/* 389 ASCII bytes, then a 2-byte character straddling byte 390 */
	memset(reason, 'r', 389);
	memcpy(reason + 389, "\xc3\xa9\xc3\xa9", 5);
	fc_send(a, "KICK #k carol :%s", reason);
	l = fc_expect(a, PFX("alice") "KICK #k carol :");
	l = strstr(l, " :") + 2;
	ck_assert_msg(strlen(l) == 389 || strlen(l) == 391,
	    "reason cut to %zu bytes: inside a UTF-8 sequence (last byte 0x%02x)", strlen(l),
	    (unsigned)(unsigned char)l[strlen(l) - 1]);
	h_free(h);
}
END_TEST

START_TEST(kick_many_users)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#k");
	c = fc_new(h, "carol");
	fc_send(c, "JOIN #k");
	fc_clear(a);
	fc_send(a, "KICK #k bob,carol :out");
	fc_expect(a, PFX("alice") "KICK #k bob :out$");
	fc_expect(a, PFX("alice") "KICK #k carol :out$");
	h_free(h);
}
END_TEST

/* Issue 9 item 3: who may INVITE and what an invitation opens. A plain
 * member may invite to a channel that is not +i (RFC 2812 §3.2.7), but
 * that is a notification only: it must not let the invitee past a +i set
 * later (it did: invites were stored whoever sent them). */
START_TEST(invite_by_member_opens_nothing)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c = NULL;

	h_two_in_channel(h, &a, &b, "#c");
	c = fc_new(h, "carol");
	fc_send(b, "INVITE carol #c");
	fc_expect(b, NUM("341", "bob") "carol #c$");
	fc_expect(c, PFX("bob") "INVITE carol :?#c$");
	fc_send(a, "MODE #c +i");
	fc_expect(a, PFX("alice") "MODE #c \\+i$");
	fc_send(c, "JOIN #c");
	fc_expect(c, NUM("473", "carol") "#c :");
	fc_expect_none(a, "JOIN");
	h_free(h);
}
END_TEST

/* Solanum's can_join order: an operator's invite passes +i and +l, never
 * a ban (474) or the key (475). */
START_TEST(invite_passes_only_i_and_l)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #c");
	fc_send(a, "MODE #c +ib carol!*@*");
	fc_expect(a, PFX("alice") "MODE #c \\+ib carol!\\*@\\*$");
	fc_send(a, "INVITE carol #c");
	fc_expect(a, NUM("341", "alice") "carol #c$");
	fc_send(c, "JOIN #c");
	fc_expect(c, NUM("474", "carol") "#c :");
	fc_send(a, "MODE #c -b+k carol!*@* sesame");
	fc_expect(a, PFX("alice") "MODE #c -b\\+k carol!\\*@\\* sesame$");
	fc_send(c, "JOIN #c");
	fc_expect(c, NUM("475", "carol") "#c :");
	fc_send(c, "JOIN #c wrong");
	fc_expect(c, NUM("475", "carol") "#c :");
	/* the invite survived the refusals: with the key it passes +i */
	fc_send(c, "JOIN #c sesame");
	fc_expect(c, PFX("carol") "JOIN :?#c$");
	/* +l: full, and an invite overrides it */
	fc_send(c, "PART #c");
	fc_send(a, "MODE #c -ik+l sesame 1");
	fc_expect(a, PFX("alice") "MODE #c -ik\\+l [^ ]+ 1$");
	fc_send(c, "JOIN #c");
	fc_expect(c, NUM("471", "carol") "#c :");
	fc_send(a, "INVITE carol #c");
	fc_send(c, "JOIN #c");
	fc_expect(c, PFX("carol") "JOIN :?#c$");
	h_free(h);
}
END_TEST

/* Invites are stored per channel: they die with it, so a later channel of
 * the same name cannot be joined past its +i or its bans (they were kept
 * by name on the client). Both sides free their entries. */
START_TEST(invite_dies_with_channel)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *c = fc_new(h, "carol"), *d = fc_new(h, "dave");
	struct channel *ch;

	fc_send(a, "JOIN #c");
	fc_send(a, "MODE #c +i");
	fc_send(a, "INVITE carol #c");
	fc_expect(a, NUM("341", "alice") "carol #c$");
	ch = server_find_channel(h->srv, "#c");
	ck_assert_ptr_nonnull(ch);
	ck_assert_uint_eq(ch->ninvites, 1);
	ck_assert_uint_eq(fc_client(c)->ninvites, 1);
	fc_send(a, "PART #c"); /* the channel ends */
	ck_assert_ptr_null(server_find_channel(h->srv, "#c"));
	ck_assert_uint_eq(fc_client(c)->ninvites, 0);
	fc_send(d, "JOIN #c");
	fc_send(d, "MODE #c +i");
	fc_expect(d, PFX("dave") "MODE #c \\+i$");
	fc_send(c, "JOIN #c");
	fc_expect(c, NUM("473", "carol") "#c :");
	/* and the other way: an invitee that quits leaves nothing behind */
	fc_send(d, "INVITE carol #c");
	ch = server_find_channel(h->srv, "#c");
	ck_assert_uint_eq(ch->ninvites, 1);
	fc_send(c, "QUIT");
	fc_run(h);
	ck_assert(fc_gone(c));
	ck_assert_uint_eq(ch->ninvites, 0);
	h_free(h);
}
END_TEST

/* Invites expire after INVITE_LIFETIME seconds, and one client holds at
 * most INVITES_PER_CLIENT (the oldest goes first). */
START_TEST(invite_expires_and_is_bounded)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *c = fc_new(h, "carol");
	unsigned i, n = INVITES_PER_CLIENT + 4;
	char re[80];

	fc_send(a, "JOIN #e");
	fc_send(a, "MODE #e +i");
	fc_send(a, "INVITE carol #e");
	fc_expect(a, NUM("341", "alice") "carol #e$");
	h_advance(h, INVITE_LIFETIME + 1);
	fc_send(c, "JOIN #e");
	fc_expect(c, NUM("473", "carol") "#e :");
	ck_assert_uint_eq(fc_client(c)->ninvites, 0);
	/* not yet expired: it passes */
	fc_send(a, "INVITE carol #e");
	h_advance(h, INVITE_LIFETIME - 60);
	fc_send(c, "JOIN #e");
	fc_expect(c, PFX("carol") "JOIN :?#e$");
	/* the bound */
	for (i = 0; i < n; i++) {
		fc_send(a, "JOIN #b%u", i);
		fc_send(a, "MODE #b%u +i", i);
		fc_send(a, "INVITE carol #b%u", i);
	}
	fc_clear(c);
	ck_assert_uint_eq(fc_client(c)->ninvites, INVITES_PER_CLIENT);
	fc_send(c, "JOIN #b0");
	fc_expect(c, NUM("473", "carol") "#b0 :");
	fc_send(c, "JOIN #b%u", n - 1);
	snprintf(re, sizeof(re), PFX("carol") "JOIN :?#b%u$", n - 1);
	fc_expect(c, re);
	h_free(h);
}
END_TEST

/* Modern IRC "INVITE message": INVITE without parameters lists the
 * user's pending invites (336 per channel, then 337); expired ones are
 * not listed; one parameter is 461. Invites survive -i (Solanum). */
START_TEST(invite_list)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *c = fc_new(h, "carol");

	fc_send(c, "INVITE");
	fc_expect_next(c, NUM("337", "carol") ":End of /INVITE list$");
	fc_send(c, "INVITE alice");
	fc_expect_next(c, NUM("461", "carol") "INVITE :");
	fc_send(a, "JOIN #one,#two");
	fc_send(a, "MODE #one +i");
	fc_send(a, "MODE #two +i");
	fc_send(a, "INVITE carol #one");
	h_advance(h, 100);
	fc_send(a, "INVITE carol #two");
	fc_clear(c);
	fc_send(c, "INVITE");
	fc_expect_next(c, NUM("336", "carol") "#one$");
	fc_expect_next(c, NUM("336", "carol") "#two$");
	fc_expect_next(c, NUM("337", "carol") ":End of /INVITE list$");
	/* #one expires first: only #two is listed */
	h_advance(h, INVITE_LIFETIME - 50);
	fc_send(c, "INVITE");
	fc_expect_next(c, NUM("336", "carol") "#two$");
	fc_expect_next(c, NUM("337", "carol") ":");
	ck_assert_uint_eq(fc_client(c)->ninvites, 1);
	/* -i then +i: the invite is still there and still passes */
	fc_send(a, "MODE #two -i");
	fc_send(a, "MODE #two +i");
	fc_send(c, "INVITE");
	fc_expect_next(c, NUM("336", "carol") "#two$");
	fc_send(c, "JOIN #two");
	fc_expect(c, PFX("carol") "JOIN :?#two$");
	/* used up by the JOIN */
	fc_clear(c);
	fc_send(c, "INVITE");
	fc_expect_next(c, NUM("337", "carol") ":");
	h_free(h);
}
END_TEST

/* Modern IRC "INVITE message". */
START_TEST(invite)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #i");
	fc_send(a, "MODE #i +i");
	fc_expect(a, PFX("alice") "MODE #i \\+i$");
	fc_send(a, "INVITE bob #i");
	fc_expect(a, NUM("341", "alice") "bob #i$");
	fc_expect(b, PFX("alice") "INVITE bob :?#i$");
	fc_send(b, "JOIN #i");
	fc_expect(b, PFX("bob") "JOIN :?#i$");
	/* already on the channel: 443 */
	fc_send(a, "INVITE bob #i");
	fc_expect(a, NUM("443", "alice") "bob #i :");
	/* a non-operator cannot invite to a +i channel: 482 */
	fc_send(b, "INVITE carol #i");
	fc_expect(b, NUM("482", "bob") "#i :");
	fc_expect_none(c, "INVITE");
	/* the inviter must be on the channel: 442 */
	fc_send(c, "INVITE bob #i");
	fc_expect(c, NUM("442", "carol") "#i :");
	/* no such nick: 401 */
	fc_send(a, "INVITE nobody #i");
	fc_expect(a, NUM("401", "alice") "nobody :");
	fc_send(a, "INVITE bob");
	fc_expect(a, NUM("461", "alice") "INVITE :");
	h_free(h);
}
END_TEST

/* An invitation is used up by the JOIN it allowed. */
START_TEST(invite_once)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #i");
	fc_send(a, "MODE #i +i");
	fc_send(a, "INVITE bob #i");
	fc_expect(a, NUM("341", "alice"));
	fc_send(b, "JOIN #i");
	fc_expect(b, PFX("bob") "JOIN :?#i$");
	fc_send(b, "PART #i");
	fc_send(b, "JOIN #i");
	fc_expect(b, NUM("473", "bob") "#i :");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.2.4 / Modern IRC "TOPIC message". */
START_TEST(topic_cmd)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;
	char want[128];

	h_two_in_channel(h, &a, &b, "#t");
	c = fc_new(h, "carol");
	fc_send(a, "TOPIC #t");
	fc_expect(a, NUM("331", "alice") "#t :");
	fc_send(a, "TOPIC #t :the topic: with colons");
	fc_expect(a, PFX("alice") "TOPIC #t :the topic: with colons$");
	fc_expect(b, PFX("alice") "TOPIC #t :the topic: with colons$");
	fc_send(b, "TOPIC #t");
	fc_expect(b, NUM("332", "bob") "#t :the topic: with colons$");
	snprintf(want, sizeof(want), NUM("333", "bob") "#t alice(![^ ]+)? [0-9]+$");
	fc_expect(b, want);
	/* +t is on for new channels here, so bob (no op) cannot set it */
	fc_send(a, "MODE #t +t");
	fc_send(b, "TOPIC #t :mine");
	fc_expect(b, NUM("482", "bob") "#t :");
	/* not a member: 442 when setting */
	fc_send(c, "TOPIC #t :outsider");
	fc_expect(c, NUM("442", "carol") "#t :");
	/* -t: any member may */
	fc_send(a, "MODE #t -t");
	fc_send(b, "TOPIC #t :bob's");
	fc_expect(a, PFX("bob") "TOPIC #t :bob's$");
	/* the topic is sent on JOIN */
	fc_send(c, "JOIN #t");
	fc_expect(c, NUM("332", "carol") "#t :bob's$");
	/* clearing it */
	fc_send(a, "TOPIC #t :");
	fc_expect(a, PFX("alice") "TOPIC #t :$");
	fc_send(a, "TOPIC #t");
	fc_expect(a, NUM("331", "alice") "#t :");
	fc_send(a, "TOPIC #none");
	fc_expect(a, NUM("403", "alice") "#none :");
	h_free(h);
}
END_TEST

/* TOPICLEN: a longer topic is cut, not refused. */
START_TEST(topic_len)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");
	char topic[450];

	fc_send(a, "JOIN #t");
	memset(topic, 'x', sizeof(topic) - 1);
	topic[sizeof(topic) - 1] = '\0';
	fc_send(a, "TOPIC #t :%s", topic);
	fc_clear(a);
	fc_send(a, "TOPIC #t");
	fc_expect(a, NUM("332", "alice") "#t :x{390}$");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.2.5: invisible users and secret channels are hidden from
 * outsiders. */
START_TEST(names_visibility)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#n");
	c = fc_new(h, "carol");
	fc_send(b, "MODE bob +i");
	fc_send(c, "NAMES #n");
	fc_expect(c, NUM("353", "carol") "= #n :@alice$");
	fc_expect(c, NUM("366", "carol") "#n :");
	fc_send(a, "NAMES #n");
	{
		const char *l = fc_expect(a, NUM("353", "alice") "= #n :");
		ck_assert_msg(h_regex_match(":(@alice bob|bob @alice)$", l), "%s", l);
	}
	fc_send(a, "MODE #n +s");
	fc_send(c, "NAMES #n");
	fc_expect_none(c, " 353 ");
	fc_expect(c, NUM("366", "carol") "#n :");
	fc_send(a, "NAMES #n");
	fc_expect(a, NUM("353", "alice") "@ #n :");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.2.6: LIST shows channels, not secret ones to outsiders. */
START_TEST(list)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#pub");
	c = fc_new(h, "carol");
	fc_send(a, "TOPIC #pub :hello");
	fc_send(a, "JOIN #sec");
	fc_send(a, "MODE #sec +s");
	fc_send(c, "LIST");
	fc_expect(c, NUM("322", "carol") "#pub 2 :hello$");
	fc_expect(c, NUM("323", "carol") ":");
	fc_send(c, "LIST");
	fc_expect_none(c, "#sec");
	fc_clear(c);
	fc_send(a, "LIST #sec");
	fc_expect(a, NUM("322", "alice") "#sec 1 :");
	fc_send(c, "LIST >1");
	fc_expect(c, NUM("322", "carol") "#pub 2 ");
	fc_send(c, "LIST >2");
	fc_expect_none(c, " 322 ");
	h_free(h);
}
END_TEST

/* ISUPPORT ELIST=CMNTU (Modern IRC "ELIST"; Solanum m_list.c): C<n / C>n
 * creation within / before the last n minutes, T<n / T>n the same for the
 * topic (T>n hides channels without one), M masks, N "!mask" leaves out,
 * conditions combine (comma-separated or as separate parameters); a
 * malformed condition is a notice between 321 and 323. */
START_TEST(list_elist)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #old,#oldtopic");
	fc_send(a, "TOPIC #oldtopic :early");
	fc_expect(a, "TOPIC #oldtopic :early");
	h_advance(h, 600); /* ten minutes later */
	fc_send(a, "JOIN #new,#other");
	fc_send(a, "TOPIC #new :late");
	fc_expect(a, "TOPIC #new :late");
	fc_clear(c);
	/* C: created in the last 5 minutes / more than 5 minutes ago */
	fc_send(c, "LIST C<5");
	fc_expect(c, NUM("322", "carol") "#new 1 ");
	fc_expect(c, NUM("322", "carol") "#other 1 ");
	fc_expect(c, NUM("323", "carol"));
	ck_assert_uint_eq(fc_count(c, "#old"), 0);
	fc_clear(c);
	fc_send(c, "LIST C>5");
	fc_expect(c, NUM("322", "carol") "#old 1 ");
	fc_expect(c, NUM("322", "carol") "#oldtopic 1 ");
	fc_expect(c, NUM("323", "carol"));
	ck_assert_uint_eq(fc_count(c, "#new|#other"), 0);
	fc_clear(c);
	/* T: the topic's time; T>n needs a topic */
	fc_send(c, "LIST T>5");
	fc_expect(c, NUM("322", "carol") "#oldtopic 1 :early$");
	fc_expect(c, NUM("323", "carol"));
	ck_assert_uint_eq(fc_count(c, " 322 "), 0);
	fc_send(c, "LIST T<5");
	fc_expect(c, NUM("322", "carol") "#new 1 :late$");
	fc_expect(c, NUM("323", "carol"));
	ck_assert_uint_eq(fc_count(c, " 322 "), 0);
	/* M and N, alone and together, and with C */
	fc_send(c, "LIST #old*");
	fc_expect(c, NUM("322", "carol") "#old 1 ");
	fc_expect(c, NUM("322", "carol") "#oldtopic 1 ");
	fc_expect(c, NUM("323", "carol"));
	ck_assert_uint_eq(fc_count(c, " 322 "), 0);
	fc_send(c, "LIST #*,!#*t*");
	fc_expect(c, NUM("322", "carol") "#old 1 ");
	fc_expect(c, NUM("322", "carol") "#new 1 ");
	fc_expect(c, NUM("323", "carol"));
	ck_assert_uint_eq(fc_count(c, " 322 "), 0);
	fc_send(c, "LIST !#O* C<5"); /* casemapped: leaves #other out */
	fc_expect(c, NUM("322", "carol") "#new 1 ");
	fc_expect(c, NUM("323", "carol"));
	ck_assert_uint_eq(fc_count(c, " 322 "), 0);
	/* malformed conditions */
	fc_send(c, "LIST C<x");
	fc_expect_next(c, NUM("321", "carol"));
	fc_expect_next(c, "NOTICE carol :Invalid parameters for /LIST$");
	fc_expect_next(c, NUM("323", "carol"));
	fc_send(c, "LIST T=3");
	fc_expect_next(c, NUM("321", "carol"));
	fc_expect_next(c, "NOTICE carol :Invalid parameters");
	fc_expect_next(c, NUM("323", "carol"));
	fc_send(c, "LIST C>1,#old");
	fc_expect_next(c, NUM("321", "carol"));
	fc_expect_next(c, "NOTICE carol :Invalid parameters");
	fc_expect_next(c, NUM("323", "carol"));
	h_free(h);
}
END_TEST

/* '+' channels have no operators and no modes but t (RFC 2811 §2.2). */
START_TEST(plus_channel)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_send(a, "JOIN +plus");
	fc_expect(a, NUM("353", "alice") "[=*@] \\+plus :alice$");
	fc_send(a, "MODE +plus +i");
	fc_expect(a, NUM("477", "alice") "\\+plus :");
	h_free(h);
}
END_TEST

/* RFC 2811 §3.2: "!!name" creates a safe channel "!" + 5-char id + name;
 * its creator is the channel creator; "!name" joins it by its short name. */
START_TEST(safe_channel)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	const char *l;
	char name[64], re[128];

	fc_send(a, "JOIN !!safe");
	l = fc_expect(a, PFX("alice") "JOIN :?![A-Z0-9]{5}safe$");
	l = strrchr(l, ' ') + 1;
	snprintf(name, sizeof(name), "%s", l[0] == ':' ? l + 1 : l);
	fc_send(b, "JOIN !safe");
	snprintf(re, sizeof(re), PFX("bob") "JOIN :?%s$", name);
	fc_expect(b, re);
	/* a second "!!safe" while one exists is refused (RFC 2811 §3.2.1) */
	fc_send(b, "JOIN !!safe");
	fc_expect(b, NUM("4[0-9][0-9]", "bob") "!!safe ");
	fc_expect_none(b, "JOIN :?![A-Z0-9]{5}safe$");
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_channel");
	TCase *tc;

	tc = h_tcase(s, "join", 10);
	tcase_add_test(tc, join_create);
	tcase_add_test(tc, join_list_and_keys);
	tcase_add_test(tc, join_errors);
	tcase_add_test(tc, join_keys_positional);
	tcase_add_test(tc, names_list_targmax);
	tcase_add_test(tc, join_restrictions);
	tcase_add_test(tc, join_zero);
	tcase_add_test(tc, plus_channel);
	tcase_add_test(tc, safe_channel);
	tc = h_tcase(s, "part_kick", 10);
	tcase_add_test(tc, part);
	tcase_add_test(tc, part_many);
	tcase_add_test(tc, kick);
	tcase_add_test(tc, kick_default_reason);
	tcase_add_test(tc, kick_many_users);
	tcase_add_test(tc, kick_pairs_positional);
	tcase_add_test(tc, kick_duplicate_users);
	tcase_add_test(tc, kick_len);
	tc = h_tcase(s, "invite_topic", 10);
	tcase_add_test(tc, invite);
	tcase_add_test(tc, invite_once);
	tcase_add_test(tc, invite_list);
	tcase_add_test(tc, invite_by_member_opens_nothing);
	tcase_add_test(tc, invite_passes_only_i_and_l);
	tcase_add_test(tc, invite_dies_with_channel);
	tcase_add_test(tc, invite_expires_and_is_bounded);
	tcase_add_test(tc, topic_cmd);
	tcase_add_test(tc, topic_len);
	tc = h_tcase(s, "names_list", 10);
	tcase_add_test(tc, names_visibility);
	tcase_add_test(tc, list);
	tcase_add_test(tc, list_elist);
	return h_run_suite(s);
}
