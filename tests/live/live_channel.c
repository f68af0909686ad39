/*
 * live_channel: JOIN PART TOPIC NAMES LIST INVITE KICK, safe (!) and
 * modeless (+) channels, channel-name casemapping.
 * References: RFC 2811 (channel management), RFC 2812 §3.2, Modern IRC
 * "Channel Operations" and numerics.
 */
#include <stdio.h>
#include <string.h>

#include "livelib.h"

static const char *conf_plain = "";

START_TEST(t_join_creator_op)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(a, "JOIN #c");
	cl_expect(a, PFX("alice") "JOIN :?#c$", LIVE_T);
	cl_expect(a, SRV "353 alice [=*@] #c :@alice$", LIVE_T);
	cl_expect(a, SRV "366 alice #c :", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
	cl_expect(b, SRV "353 bob = #c :(.* )?@alice( |$)", LIVE_T);
	ck_assert_msg(rx_match(b->last, "[: ]bob( |$)"), "bob missing: %s", b->last);
	ck_assert_msg(!rx_match(b->last, "[@+]bob"), "bob got a prefix: %s", b->last);
	cl_expect(b, SRV "366 bob #c :", LIVE_T);
	cl_expect(a, PFX("bob") "JOIN :?#c$", LIVE_T);
}
END_TEST

/* JOIN #a,#b,#c k1,k2 : keys pair with channels in order. */
START_TEST(t_join_multi_keys)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");

	cl_join(a, "#k1");
	cl_join(a, "#k2");
	cl_join(a, "#open");
	cl_send(a, "MODE #k1 +k key1");
	cl_expect(a, PFX("alice") "MODE #k1 \\+k key1$", LIVE_T);
	cl_send(a, "MODE #k2 +k key2");
	cl_expect(a, PFX("alice") "MODE #k2 \\+k key2$", LIVE_T);

	cl_send(b, "JOIN #k1,#k2,#open key1,key2");
	cl_expect(b, PFX("bob") "JOIN :?#k1$", LIVE_T);
	cl_expect(b, PFX("bob") "JOIN :?#k2$", LIVE_T);
	cl_expect(b, PFX("bob") "JOIN :?#open$", LIVE_T);

	cl_send(c, "JOIN #k1,#k2 key1");
	cl_expect(c, PFX("carol") "JOIN :?#k1$", LIVE_T);
	cl_expect(c, SRV "475 carol #k2 :", LIVE_T);
	cl_expect_none(c, " JOIN :?#k2", LIVE_T);
}
END_TEST

START_TEST(t_join_zero)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#a");
	cl_join(a, "#b");
	cl_join(b, "#a");
	cl_join(b, "#b");
	cl_send(a, "JOIN 0");
	/* order of the PARTs is not specified */
	cl_expect(a, PFX("alice") "PART #[ab]( |$)", LIVE_T);
	cl_expect(a, PFX("alice") "PART #[ab]( |$)", LIVE_T);
	cl_expect(b, PFX("alice") "PART #[ab]( |$)", LIVE_T);
	cl_expect(b, PFX("alice") "PART #[ab]( |$)", LIVE_T);
	cl_send(b, "NAMES #a");
	cl_expect(b, SRV "353 bob = #a :", LIVE_T);
	ck_assert_msg(!rx_match(b->last, "alice"), "alice still in #a: %s", b->last);
}
END_TEST

/* A name without a channel prefix or with forbidden characters. */
START_TEST(t_join_bad_name)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send(a, "JOIN foo");
	cl_expect(a, SRV "(403|476|479) alice foo :", LIVE_T);
	cl_send(a, "JOIN #a\007b");
	cl_expect(a, SRV "(403|476|479) alice ", LIVE_T);
	cl_expect_none(a, " JOIN ", LIVE_T);
}
END_TEST

/* A channel name longer than CHANNELLEN (50) is refused or truncated,
 * never created at full length. */
START_TEST(t_join_channellen)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	char name[80];

	memset(name, 'x', sizeof(name));
	name[0] = '#';
	name[60] = '\0';
	cl_send(a, "JOIN %s", name);
	cl_expect_none(a,
	    "JOIN :?#xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxx",
	    LIVE_T);
}
END_TEST

START_TEST(t_join_too_many)
{
	struct srv *s = srv_start("[limits]\nmax_channels_per_user = 2\n");
	struct cl *a = cl_new(s, "alice");

	cl_join(a, "#a");
	cl_join(a, "#b");
	cl_send(a, "JOIN #c");
	cl_expect(a, SRV "405 alice #c :", LIVE_T);
	cl_expect_none(a, " JOIN ", LIVE_T);
	/* after parting one, joining works again */
	cl_send(a, "PART #a");
	cl_expect(a, " PART #a", LIVE_T);
	cl_join(a, "#c");
}
END_TEST

START_TEST(t_join_full)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +l 1");
	cl_expect(a, PFX("alice") "MODE #c \\+l 1$", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "471 bob #c :", LIVE_T);
	cl_send(a, "MODE #c -l");
	cl_expect(a, PFX("alice") "MODE #c -l$", LIVE_T);
	cl_join(b, "#c");
}
END_TEST

START_TEST(t_join_invite_only)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +i");
	cl_expect(a, PFX("alice") "MODE #c \\+i$", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "473 bob #c :", LIVE_T);
}
END_TEST

START_TEST(t_join_banned)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +b bob!*@*");
	cl_expect(a, PFX("alice") "MODE #c \\+b bob!\\*@\\*$", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "474 bob #c :", LIVE_T);
}
END_TEST

START_TEST(t_join_bad_key)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +k sesame");
	cl_expect(a, PFX("alice") "MODE #c \\+k sesame$", LIVE_T);
	cl_send(b, "JOIN #c wrong");
	cl_expect(b, SRV "475 bob #c :", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "475 bob #c :", LIVE_T);
	cl_send(b, "JOIN #c sesame");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
}
END_TEST

/* Joining a channel one is already on does nothing. */
START_TEST(t_join_twice)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_expect(a, PFX("bob") "JOIN :?#c$", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect_none(b, " JOIN ", LIVE_T);
	cl_sync(b);
	cl_expect_none(a, " JOIN ", LIVE_T);
}
END_TEST

START_TEST(t_names)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(b, "NAMES #c");
	cl_expect(b, SRV "353 bob = #c :", LIVE_T);
	ck_assert_msg(rx_match(b->last, "[: ]@alice( |$)") && rx_match(b->last, "[: ]bob( |$)"),
	    "bad NAMES: %s", b->last);
	cl_expect(b, SRV "366 bob #c :", LIVE_T);
	/* a public channel is visible to non-members */
	cl_send(o, "NAMES #c");
	cl_expect(o, SRV "353 outsider = #c :", LIVE_T);
	cl_expect(o, SRV "366 outsider #c :", LIVE_T);
	/* a secret one is not: only the end marker (and symbol @ for
	 * members) */
	cl_send(a, "MODE #c +s");
	cl_expect(a, PFX("alice") "MODE #c \\+s$", LIVE_T);
	cl_send(o, "NAMES #c");
	cl_expect_none(o, " 353 ", LIVE_T);
	cl_send(a, "NAMES #c");
	cl_expect(a, SRV "353 alice @ #c :", LIVE_T);
	/* private channel symbol is * */
	cl_send(a, "MODE #c -s");
	cl_expect(a, PFX("alice") "MODE #c -s$", LIVE_T);
	cl_send(a, "MODE #c +p");
	cl_expect(a, PFX("alice") "MODE #c \\+p$", LIVE_T);
	cl_send(a, "NAMES #c");
	cl_expect(a, SRV "353 alice \\* #c :", LIVE_T);
	/* unknown channel: just the end */
	cl_send(o, "NAMES #nosuch");
	cl_expect(o, SRV "366 outsider #nosuch :", LIVE_T);
}
END_TEST

START_TEST(t_part)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(a, "#d");
	cl_join(b, "#c");
	cl_join(b, "#d");
	cl_send(b, "PART #c");
	cl_expect(b, PFX("bob") "PART #c( :)?$", LIVE_T);
	cl_expect(a, PFX("bob") "PART #c( :)?$", LIVE_T);
	cl_send(b, "PART #d :see you later");
	cl_expect(b, PFX("bob") "PART #d :see you later$", LIVE_T);
	cl_expect(a, PFX("bob") "PART #d :see you later$", LIVE_T);
	cl_send(b, "PART #c");
	cl_expect(b, SRV "442 bob #c :", LIVE_T);
	cl_send(b, "PART #nosuch");
	cl_expect(b, SRV "403 bob #nosuch :", LIVE_T);
	cl_send(b, "PART");
	cl_expect(b, SRV "461 bob PART :", LIVE_T);
}
END_TEST

START_TEST(t_part_multi)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_join(a, "#x");
	cl_join(a, "#y");
	cl_send(a, "PART #x,#y :gone");
	cl_expect(a, PFX("alice") "PART #x :gone$", LIVE_T);
	cl_expect(a, PFX("alice") "PART #y :gone$", LIVE_T);
}
END_TEST

/* The last member leaving destroys the channel: the next joiner is op and
 * no old topic or modes survive. */
START_TEST(t_part_last_destroys)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "TOPIC #c :old topic");
	cl_expect(a, " TOPIC #c :old topic", LIVE_T);
	cl_send(a, "MODE #c +k key");
	cl_expect(a, " MODE #c \\+k key", LIVE_T);
	cl_send(a, "PART #c");
	cl_expect(a, " PART #c", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
	cl_expect(b, SRV "353 bob [=@*] #c :@bob$", LIVE_T);
	cl_send(b, "TOPIC #c");
	cl_expect(b, SRV "331 bob #c :", LIVE_T);
}
END_TEST

START_TEST(t_topic)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");
	const char *l;
	char ts[32];

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "TOPIC #c");
	cl_expect(a, SRV "331 alice #c :", LIVE_T);
	cl_send(a, "TOPIC #c :The topic here");
	cl_expect(a, PFX("alice") "TOPIC #c :The topic here$", LIVE_T);
	cl_expect(b, PFX("alice") "TOPIC #c :The topic here$", LIVE_T);
	cl_send(b, "TOPIC #c");
	cl_expect(b, SRV "332 bob #c :The topic here$", LIVE_T);
	l = cl_expect(b, SRV "333 bob #c alice(![^ ]+)? [0-9]+$", LIVE_T);
	rx_group(l, " ([0-9]+)$", 1, ts, sizeof(ts));
	ck_assert_msg(strlen(ts) >= 10, "333 time is not a unix time: %s", l);
	/* a joiner gets 332/333 before the names */
	cl_send(c, "JOIN #c");
	cl_expect(c, PFX("carol") "JOIN :?#c$", LIVE_T);
	cl_expect(c, SRV "332 carol #c :The topic here$", LIVE_T);
	cl_expect(c, SRV "333 carol #c ", LIVE_T);
	cl_expect(c, SRV "353 carol ", LIVE_T);
	/* an empty trailing clears it */
	cl_send(a, "TOPIC #c :");
	cl_expect(a, PFX("alice") "TOPIC #c :?$", LIVE_T);
	cl_expect(b, PFX("alice") "TOPIC #c :?$", LIVE_T);
	cl_send(b, "TOPIC #c");
	cl_expect(b, SRV "331 bob #c :", LIVE_T);
}
END_TEST

START_TEST(t_topic_protected)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "MODE #c +t");
	cl_sync(a);
	cl_send(b, "TOPIC #c :mine");
	cl_expect(b, SRV "482 bob #c :", LIVE_T);
	cl_sync(b);
	cl_expect_none(a, " TOPIC ", LIVE_T);
	cl_send(a, "MODE #c -t");
	cl_expect(a, PFX("alice") "MODE #c -t$", LIVE_T);
	cl_send(b, "TOPIC #c :mine now");
	cl_expect(b, PFX("bob") "TOPIC #c :mine now$", LIVE_T);
	cl_expect(a, PFX("bob") "TOPIC #c :mine now$", LIVE_T);
}
END_TEST

START_TEST(t_topic_not_on_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *c = cl_new(s, "carol");

	cl_join(a, "#c");
	cl_send(a, "MODE #c -t");
	cl_sync(a);
	cl_send(c, "TOPIC #c :from outside");
	cl_expect(c, SRV "442 carol #c :", LIVE_T);
	cl_send(c, "TOPIC #nosuch :x");
	cl_expect(c, SRV "(403|442) carol #nosuch :", LIVE_T);
	cl_send(c, "TOPIC");
	cl_expect(c, SRV "461 carol TOPIC :", LIVE_T);
	cl_sync(c);
	cl_expect_none(a, " TOPIC ", LIVE_T);
}
END_TEST

/* Topics are cut at TOPICLEN (390). */
START_TEST(t_topic_len)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	char topic[451];
	char got[600];
	const char *l;

	memset(topic, 'T', 450);
	topic[450] = '\0';
	cl_join(a, "#c");
	cl_send(a, "TOPIC #c :%s", topic);
	cl_sync(a);
	cl_send(a, "TOPIC #c");
	l = cl_expect(a, SRV "332 alice #c :", LIVE_T);
	rx_group(l, " 332 alice #c :(.*)$", 1, got, sizeof(got));
	ck_assert_msg(strlen(got) <= 390 && strlen(got) > 0, "topic length %zu, TOPICLEN is 390",
	    strlen(got));
}
END_TEST

START_TEST(t_list)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#pub");
	cl_join(b, "#pub");
	cl_send(a, "TOPIC #pub :public topic");
	cl_expect(a, " TOPIC #pub ", LIVE_T);
	cl_join(a, "#sec");
	cl_send(a, "MODE #sec +s");
	cl_expect(a, " MODE #sec \\+s", LIVE_T);

	cl_send(o, "LIST");
	cl_expect(o, SRV "322 outsider #pub 2 :(\\[[^]]*\\] )?public topic$", LIVE_T);
	cl_expect(o, SRV "323 outsider :", LIVE_T);
	cl_send(o, "LIST");
	cl_expect_none(o, " 322 outsider #sec ", LIVE_T);
	/* members see their secret channel */
	cl_send(a, "LIST");
	cl_expect(a, SRV "322 alice #sec 1 :", LIVE_T);
	cl_expect(a, SRV "323 alice :", LIVE_T);
	/* LIST with a channel argument lists only that channel */
	cl_send(o, "LIST #pub");
	cl_expect(o, SRV "322 outsider #pub 2 ", LIVE_T);
	cl_expect(o, SRV "323 outsider ", LIVE_T);
	cl_join(a, "#other");
	cl_send(o, "LIST #pub");
	cl_expect_none(o, " 322 outsider #other ", LIVE_T);
	cl_send(o, "LIST #sec");
	cl_expect_none(o, " 322 outsider #sec ", LIVE_T);
}
END_TEST

START_TEST(t_invite)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +i");
	cl_expect(a, " MODE #c \\+i", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "473 bob #c :", LIVE_T);
	cl_send(a, "INVITE bob #c");
	cl_expect(a, SRV "341 alice bob :?#c$", LIVE_T);
	cl_expect(b, PFX("alice") "INVITE bob :?#c$", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
}
END_TEST

/* INVITE error numerics. */
START_TEST(t_invite_errors)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");

	cl_join(a, "#c");
	cl_join(b, "#c");
	/* 443 already on channel */
	cl_send(a, "INVITE bob #c");
	cl_expect(a, SRV "443 alice bob #c :", LIVE_T);
	/* 401 no such nick */
	cl_send(a, "INVITE nobody #c");
	cl_expect(a, SRV "401 alice nobody :", LIVE_T);
	/* 442 inviter not on channel */
	cl_send(c, "INVITE bob #c");
	cl_expect(c, SRV "442 carol #c :", LIVE_T);
	/* 482 +i and inviter not op */
	cl_send(a, "MODE #c +i");
	cl_expect(a, " MODE #c \\+i", LIVE_T);
	cl_send(b, "INVITE carol #c");
	cl_expect(b, SRV "482 bob #c :", LIVE_T);
	cl_sync(b);
	cl_expect_none(c, " INVITE ", LIVE_T);
	/* 461 */
	cl_send(a, "INVITE bob");
	cl_expect(a, SRV "461 alice INVITE :", LIVE_T);
	/* no parameters: the pending invites (Modern IRC 336/337) */
	cl_send(a, "INVITE carol #c");
	cl_expect(a, SRV "341 alice carol #c", LIVE_T);
	cl_send(c, "INVITE");
	cl_expect(c, SRV "336 carol #c$", LIVE_T);
	cl_expect(c, SRV "337 carol :End of /INVITE list", LIVE_T);
}
END_TEST

/* On a channel without +i any member may invite (RFC 2812 3.2.7). */
START_TEST(t_invite_non_op_open_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(b, "INVITE carol #c");
	cl_expect(b, SRV "341 bob carol :?#c$", LIVE_T);
	cl_expect(c, PFX("bob") "INVITE carol :?#c$", LIVE_T);
}
END_TEST

START_TEST(t_kick)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *d = cl_new(s, "dave");
	struct cl *e = cl_new(s, "eve");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_join(d, "#c");
	cl_join(e, "#c");
	cl_send(a, "KICK #c bob,dave :behave");
	cl_expect(a, PFX("alice") "KICK #c bob :behave$", LIVE_T);
	cl_expect(a, PFX("alice") "KICK #c dave :behave$", LIVE_T);
	cl_expect(b, PFX("alice") "KICK #c bob :behave$", LIVE_T);
	cl_expect(d, PFX("alice") "KICK #c bob :behave$", LIVE_T);
	cl_expect(d, PFX("alice") "KICK #c dave :behave$", LIVE_T);
	cl_expect(e, PFX("alice") "KICK #c bob :behave$", LIVE_T);
	cl_expect(e, PFX("alice") "KICK #c dave :behave$", LIVE_T);
	/* kicked users no longer receive channel traffic */
	cl_send(a, "PRIVMSG #c :after kick");
	cl_expect(e, PFX("alice") "PRIVMSG #c :after kick$", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, "after kick", LIVE_T);
	cl_expect_none(d, "after kick", LIVE_T);
	cl_send(a, "NAMES #c");
	cl_expect(a, SRV "353 alice = #c :", LIVE_T);
	ck_assert_msg(!rx_match(a->last, "[: @+](bob|dave)( |$)"), "kicked users still listed: %s",
	    a->last);
}
END_TEST

START_TEST(t_kick_errors)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");

	cl_join(a, "#c");
	cl_join(b, "#c");
	/* 441 target not on channel */
	cl_send(a, "KICK #c carol");
	cl_expect(a, SRV "441 alice carol #c :", LIVE_T);
	/* 482 not an operator */
	cl_send(b, "KICK #c alice");
	cl_expect(b, SRV "482 bob #c :", LIVE_T);
	/* 442 kicker not on channel */
	cl_send(c, "KICK #c bob");
	cl_expect(c, SRV "442 carol #c :", LIVE_T);
	/* 403 no such channel */
	cl_send(a, "KICK #nosuch bob");
	cl_expect(a, SRV "403 alice #nosuch :", LIVE_T);
	cl_send(a, "KICK #c");
	cl_expect(a, SRV "461 alice KICK :", LIVE_T);
	cl_sync(c);
	cl_expect_none(b, " KICK ", LIVE_T);
}
END_TEST

/* Kick reasons are cut at KICKLEN (390). */
START_TEST(t_kick_len)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	char why[451], got[600];
	const char *l;

	memset(why, 'K', 450);
	why[450] = '\0';
	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "KICK #c bob :%s", why);
	l = cl_expect(b, PFX("alice") "KICK #c bob :", LIVE_T);
	rx_group(l, " KICK #c bob :(.*)$", 1, got, sizeof(got));
	ck_assert_msg(strlen(got) <= 390 && strlen(got) > 0,
	    "kick reason length %zu, KICKLEN is 390", strlen(got));
}
END_TEST

/* RFC 2811 3.2: JOIN !!name creates !XXXXXname; creator is op. */
START_TEST(t_safe_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	char chan[64], re[256];
	const char *l;

	cl_send(a, "JOIN !!safe");
	l = cl_expect(a, PFX("alice") "JOIN :?![A-Z0-9]{5}safe$", LIVE_T);
	rx_group(l, "JOIN :?(![A-Z0-9]{5}safe)$", 1, chan, sizeof(chan));
	snprintf(re, sizeof(re), SRV "353 alice [=*@] %s :@alice$", rx_esc(chan));
	cl_expect(a, re, LIVE_T);
	/* joining by the full name works and gives no op */
	cl_send(b, "JOIN %s", chan);
	snprintf(re, sizeof(re), PFX("bob") "JOIN :?%s$", rx_esc(chan));
	cl_expect(b, re, LIVE_T);
	snprintf(re, sizeof(re), SRV "353 bob = %s :", rx_esc(chan));
	l = cl_expect(b, re, LIVE_T);
	ck_assert_msg(rx_match(l, "[: ]@alice( |$)") && rx_match(l, "[: ]bob( |$)"),
	    "bad names: %s", l);
	/* a second channel with the same short name MUST NOT be created */
	cl_send(b, "PART %s", chan);
	cl_expect(b, " PART ", LIVE_T);
	cl_send(b, "JOIN !!safe");
	cl_expect_none(b, " JOIN ", LIVE_T);
}
END_TEST

/* RFC 2811 4.1.1: the creator of a safe channel has the 'O' status;
 * "MODE !chan O" answers RPL_UNIQOPIS (325). */
START_TEST(t_safe_channel_creator)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	char chan[64], re[256];
	const char *l;

	cl_send(a, "JOIN !!safe");
	l = cl_expect(a, PFX("alice") "JOIN :?![A-Z0-9]{5}safe$", LIVE_T);
	rx_group(l, "JOIN :?(![A-Z0-9]{5}safe)$", 1, chan, sizeof(chan));
	cl_expect(a, " 366 ", LIVE_T);
	cl_send(a, "MODE %s O", chan);
	snprintf(re, sizeof(re), SRV "325 alice %s alice$", rx_esc(chan));
	cl_expect(a, re, LIVE_T);
}
END_TEST

/* A safe channel may be joined by its short name when exactly one exists
 * (RFC 2812 3.2.1, ERR_TOOMANYTARGETS wording). */
START_TEST(t_safe_channel_short_name)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	char chan[64], re[256];
	const char *l;

	cl_send(a, "JOIN !!safe");
	l = cl_expect(a, PFX("alice") "JOIN :?![A-Z0-9]{5}safe$", LIVE_T);
	rx_group(l, "JOIN :?(![A-Z0-9]{5}safe)$", 1, chan, sizeof(chan));
	cl_send(b, "JOIN !safe");
	snprintf(re, sizeof(re), PFX("bob") "JOIN :?%s$", rx_esc(chan));
	cl_expect(b, re, LIVE_T);
}
END_TEST

/* RFC 2811 2.2/4: '+' channels have no modes except +t; nobody is op. */
START_TEST(t_modeless_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(a, "JOIN +plus");
	cl_expect(a, PFX("alice") "JOIN :?\\+plus$", LIVE_T);
	cl_expect(a, SRV "353 alice [=*@] \\+plus :alice$", LIVE_T);
	cl_send(a, "MODE +plus");
	cl_expect(a, SRV "324 alice \\+plus \\+t$", LIVE_T);
	cl_send(a, "MODE +plus +i");
	cl_expect(a, SRV "477 alice \\+plus :", LIVE_T);
	cl_join(b, "+plus");
	cl_send(b, "PRIVMSG +plus :hello plus");
	cl_expect(a, PFX("bob") "PRIVMSG \\+plus :hello plus$", LIVE_T);
	cl_send(a, "MODE +plus +o bob");
	cl_expect_none(a, " MODE \\+plus \\+o", LIVE_T);
}
END_TEST

/* rfc1459 casemapping of channel names: {}|~ are the lower case of []\^ */
START_TEST(t_channel_casemap)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#Foo[]\\^");
	cl_send(b, "JOIN #fOO{}|~");
	cl_expect(b, PFX("bob") "JOIN :?#[fF][oO][oO](\\[\\]\\\\\\^|\\{\\}\\|~)$", LIVE_T);
	cl_expect(b, SRV "353 bob = #[fF][oO][oO][^ ]* :.*@alice", LIVE_T);
	cl_expect(a, PFX("bob") "JOIN ", LIVE_T);
	cl_send(a, "PRIVMSG #FOO{}|~ :case insensitive");
	cl_expect(b, PFX("alice") "PRIVMSG #[fF][oO][oO][^ ]* :case insensitive$", LIVE_T);
}
END_TEST

/* The topic of a secret channel is not readable from outside. */
START_TEST(t_topic_secret_hidden)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#sec");
	cl_send(a, "TOPIC #sec :classified");
	cl_expect(a, " TOPIC #sec :classified", LIVE_T);
	cl_send(a, "MODE #sec +s");
	cl_expect(a, " MODE #sec \\+s", LIVE_T);
	cl_send(o, "TOPIC #sec");
	cl_expect_none(o, "classified", LIVE_T);
}
END_TEST

/* Too many targets for KICK (TARGMAX KICK:4 in 005) is refused or cut;
 * never more kicks than the advertised maximum. */
START_TEST(t_kick_targmax)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *u[6];
	char nick[16];
	int i;

	cl_join(a, "#c");
	for (i = 0; i < 6; i++) {
		snprintf(nick, sizeof(nick), "u%d", i);
		u[i] = cl_new(s, nick);
		cl_join(u[i], "#c");
	}
	cl_sync(a);
	cl_send(a, "KICK #c u0,u1,u2,u3,u4,u5 :mass");
	ck_assert_msg(cl_count(a, " KICK #c ") <= 4, "more kicks than TARGMAX KICK:4");
}
END_TEST

/* A NAMES reply longer than one line is split over several 353 lines; no
 * member is lost. */
START_TEST(t_names_split)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *cs[40];
	char nick[40], all[8192] = " ";
	int i, guard;

	for (i = 0; i < 40; i++) {
		snprintf(nick, sizeof(nick), "member%02dxxxxxxxxxxxxxxxxxxxx", i);
		cs[i] = cl_new(s, nick);
		cl_join(cs[i], "#c");
	}
	cl_send(cs[0], "NAMES #c");
	for (guard = 0; guard < 100; guard++) {
		const char *l = cl_expect(cs[0], SRV "(353|366) ", LIVE_T);
		const char *p;

		if (rx_match(l, " 366 "))
			break;
		p = strstr(l, " :");
		ck_assert(p != NULL);
		strncat(all, p + 2, sizeof(all) - strlen(all) - 2);
		strncat(all, " ", sizeof(all) - strlen(all) - 1);
	}
	for (i = 0; i < 40; i++) {
		char re[64];

		snprintf(re, sizeof(re), " @?member%02dxxxxxxxxxxxxxxxxxxxx ", i);
		ck_assert_msg(rx_match(all, re), "member%02d missing from NAMES", i);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_channel");
	TCase *tc = live_tcase("channel", 30);

	tcase_add_test(tc, t_join_creator_op);
	tcase_add_test(tc, t_join_multi_keys);
	tcase_add_test(tc, t_join_zero);
	tcase_add_test(tc, t_join_bad_name);
	tcase_add_test(tc, t_join_channellen);
	tcase_add_test(tc, t_join_too_many);
	tcase_add_test(tc, t_join_full);
	tcase_add_test(tc, t_join_invite_only);
	tcase_add_test(tc, t_join_banned);
	tcase_add_test(tc, t_join_bad_key);
	tcase_add_test(tc, t_join_twice);
	tcase_add_test(tc, t_names);
	tcase_add_test(tc, t_part);
	tcase_add_test(tc, t_part_multi);
	tcase_add_test(tc, t_part_last_destroys);
	tcase_add_test(tc, t_topic);
	tcase_add_test(tc, t_topic_protected);
	tcase_add_test(tc, t_topic_not_on_channel);
	tcase_add_test(tc, t_topic_len);
	tcase_add_test(tc, t_list);
	tcase_add_test(tc, t_invite);
	tcase_add_test(tc, t_invite_errors);
	tcase_add_test(tc, t_invite_non_op_open_channel);
	tcase_add_test(tc, t_kick);
	tcase_add_test(tc, t_kick_errors);
	tcase_add_test(tc, t_kick_len);
	tcase_add_test(tc, t_safe_channel);
	tcase_add_test(tc, t_safe_channel_creator);
	tcase_add_test(tc, t_safe_channel_short_name);
	tcase_add_test(tc, t_modeless_channel);
	tcase_add_test(tc, t_channel_casemap);
	tcase_add_test(tc, t_topic_secret_hidden);
	tcase_add_test(tc, t_kick_targmax);
	tcase_add_test(tc, t_names_split);
	suite_add_tcase(s, tc);
	return live_run(s);
}
