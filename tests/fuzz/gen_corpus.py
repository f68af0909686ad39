#!/usr/bin/env python3
"""gen_corpus.py - write the hand-made seed inputs of tests/fuzz/corpus/.

Server seeds are fuzz_server.c inputs: records of a control byte ('0'-'3'
write to client 0-3; 0xE0.. 0xFC.. are the special actions documented at the
top of fuzz_server.c) and a line. Clients 0-2 are registered as fz0-fz2
before the first record; client 3 is not. Run from anywhere:
    python3 tests/fuzz/gen_corpus.py
Files are named seed-*; files found by fuzzing (merged with -merge=1) have
hash names and are kept as they are."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

PIPE, BYTES, AMP, CLOCK, TOGGLE, EOF, VANISH, CONNECT = 0xE0, 0xE4, 0xE8, 0xEC, 0xF0, 0xF4, 0xF8, 0xFC


def rec(slot, line, op=None, nl=True):
    ctl = (op | slot) if op is not None else ord('0') + slot
    data = line.encode('latin-1') if isinstance(line, str) else line
    return bytes([ctl]) + data + (b'\r\n' if nl else b'')


def session(*recs):
    return b''.join(r if isinstance(r, bytes) else rec(*r) for r in recs)


SERVER = {
    'register': session(
        (3, 'PASS secret'), (3, 'CAP LS 302'), (3, 'NICK newbie'), (3, 'USER nb 0 * :New Bie'),
        (3, 'CAP REQ :multi-prefix server-time message-tags echo-message'), (3, 'CAP LIST'),
        (3, 'CAP END'), (3, 'PING :tok'), (3, 'PONG :tok'), (3, 'QUIT :bye')),
    'register-errors': session(
        (3, 'USER'), (3, 'NICK'), (3, 'NICK 1bad'), (3, 'NICK fz0'), (3, 'JOIN #x'),
        (3, 'NICK ' + 'n' * 40), (3, 'USER a@b 0 * :x'), (3, 'CAP REQ :bogus-cap'), (3, 'CAP FOO'),
        (3, 'NICK ok3'), (3, 'USER ok 0 * :ok'), (3, 'USER again 0 * :x'), (3, 'PASS late')),
    'channel-basics': session(
        (0, 'JOIN #fuzz'), (1, 'JOIN #fuzz,&local,+modeless'), (2, 'JOIN #fuzz'), (0, 'TOPIC #fuzz :a topic'),
        (1, 'TOPIC #fuzz'), (2, 'NAMES #fuzz'), (0, 'NAMES'), (1, 'LIST'), (1, 'LIST #fuzz,#none'),
        (1, 'LIST >0'), (2, 'PART #fuzz :leaving'), (0, 'INVITE fz2 #fuzz'), (2, 'JOIN #fuzz'),
        (0, 'KICK #fuzz fz2 :out'), (0, 'KICK #fuzz fz1,fz2'), (1, 'JOIN 0'), (0, 'PART #fuzz,&local')),
    'channel-modes': session(
        (0, 'JOIN #m'), (1, 'JOIN #m'), (0, 'MODE #m'), (0, 'MODE #m +imnpst'), (0, 'MODE #m +k key'),
        (0, 'MODE #m +l 2'), (2, 'JOIN #m'), (2, 'JOIN #m key'), (0, 'MODE #m +o fz1'), (1, 'MODE #m -o+v fz0 fz0'),
        (0, 'MODE #m -k key'), (0, 'MODE #m -l'), (0, 'MODE #m +ov-v+k fz1 fz1 fz1 k2'), (0, 'MODE #m +xyz'),
        (1, 'MODE #m -imnpst'), (0, 'MODE #m +b'), (0, 'MODE #m +e'), (0, 'MODE #m +I'), (2, 'MODE #m +o fz2'),
        (0, 'MODE #m +kl'), (0, 'MODE #m +oooo fz0 fz1 fz2 fz3')),
    'bans': session(
        (0, 'JOIN #b'), (0, 'MODE #b +b fz1'), (0, 'MODE #b +b *!*@127.0.0.1'), (1, 'JOIN #b'),
        (0, 'MODE #b +e fz1!*@*'), (1, 'JOIN #b'), (0, 'MODE #b +bbbbbb a b c d e f'), (0, 'MODE #b +I *!*@*'),
        (0, 'MODE #b +i'), (2, 'JOIN #b'), (0, 'MODE #b b'), (0, 'MODE #b -b fz1!*@*'), (0, 'MODE #b -b+b *!*@127.0.0.1 !@'),
        (1, 'PRIVMSG #b :banned?'), (0, 'MODE #b +b ' + 'x' * 300), (0, 'MODE #b +b \\*?*')),
    'safe-channels': session(
        (0, 'JOIN !!safe'), (0, 'NAMES'), (1, 'JOIN !!safe'), (1, 'JOIN !safe'), (0, 'LIST'),
        (0, 'MODE !safe +O fz1'), (2, 'JOIN !ABCDEsafe'), (0, 'PART !safe'), (1, 'JOIN !!a'), (1, 'JOIN !!')),
    'messages': session(
        (0, 'JOIN #msg'), (1, 'JOIN #msg'), (0, 'PRIVMSG #msg :hello'), (0, 'PRIVMSG fz1,fz2,#msg,nobody :multi'),
        (1, 'NOTICE #msg :notice'), (2, 'PRIVMSG #msg :outside'), (0, 'MODE #msg +n'), (2, 'PRIVMSG #msg :outside'),
        (0, 'MODE #msg +m'), (1, 'PRIVMSG #msg :muted'), (0, 'PRIVMSG @#msg :ops'), (0, 'PRIVMSG +#msg :voices'),
        (0, 'PRIVMSG'), (0, 'PRIVMSG #msg'), (0, 'PRIVMSG fz1 :\x01ACTION waves\x01'), (1, 'AWAY :gone'),
        (0, 'PRIVMSG fz1 :are you there'), (1, 'AWAY'), (0, 'TAGMSG fz1'), (0, '@+draft/typing=active TAGMSG #msg'),
        (0, 'PRIVMSG $*.example :mass'), (0, 'PRIVMSG a,b,c,d,e,f :too many')),
    'queries': session(
        (0, 'JOIN #q'), (1, 'MODE fz1 +i'), (0, 'WHO #q'), (0, 'WHO *'), (0, 'WHO fz1'), (0, 'WHO 0 o'),
        (0, 'WHO #q %tnuhiaofl,42'), (0, 'WHOIS fz1'), (0, 'WHOIS fz1,fz2'), (0, 'WHOIS irc.fuzz.example fz1'),
        (0, 'WHOWAS fz9'), (2, 'NICK renamed'), (0, 'WHOWAS fz2'), (0, 'WHOWAS fz2 1'), (0, 'ISON fz0 fz1 nobody'),
        (0, 'USERHOST fz0 fz1 fz2 fz3 renamed'), (0, 'MOTD'), (0, 'LUSERS'), (0, 'VERSION'), (0, 'TIME'),
        (0, 'ADMIN'), (0, 'INFO'), (0, 'STATS u'), (0, 'STATS m'), (0, 'STATS o'), (0, 'STATS k'), (0, 'STATS'),
        (0, 'LINKS'), (0, 'SUMMON fz1'), (0, 'USERS'), (0, 'MONITOR + fz1,fz2,nobody'), (0, 'MONITOR L'),
        (0, 'MONITOR S'), (0, 'MONITOR - fz1'), (0, 'MONITOR C'), (0, 'SETNAME :new real name'), (0, 'KNOCK #q')),
    'oper': session(
        (0, 'OPER fuzz wrong'), (0, 'OPER nobody pw'), (3, 'NICK o3'), (3, 'USER o3 0 * :o'), (3, 'OPER far x'),
        (0, 'OPER local secret'), (0, 'MODE fz0 +w'), (1, 'MODE fz1 +w'), (0, 'WALLOPS :hello opers'),
        (0, 'KILL fz1 :bye'), (2, 'NICK fz1'), (0, 'KILL irc.fuzz.example :no'), (0, 'KILL nobody :x'),
        (0, 'KLINE 10 *@10.0.0.* :banned'), (0, 'STATS k'), (0, 'KLINE fz2 :by nick'), (0, 'KLINE'),
        (0, 'KLINE 5 bad mask here'), (0, 'UNKLINE *@10.0.0.*'), (0, 'UNKLINE nothing'),
        (0, 'DLINE 10.0.0.0/8 :no'), (0, 'DLINE 0::1'), (0, 'DLINE 300.1.1.1/99'), (0, 'STATS d'),
        (0, 'UNDLINE 10.0.0.0/8'), rec(3, 'NICK back3', CONNECT), (3, 'USER b 0 * :b'),
        (0, 'MODE fz0 -o'), (0, 'KLINE *@1.2.3.4'), (0, 'OPER fuzz pw'), (0, 'REHASH'), (0, 'JOIN #after')),
    'die': session((0, 'JOIN #d'), (1, 'JOIN #d'), (0, 'OPER fuzz pw'), (1, 'PRIVMSG #d :x'), (0, 'DIE'),
        (1, 'PRIVMSG #d :after die')),
    'kline-self': session((0, 'OPER fuzz pw'), (0, 'KLINE *@127.*'), (1, 'PING x'), (2, 'PING y')),
    'rehash-features': session(
        (0, 'OPER fuzz pw'), (0, 'JOIN #r'), (1, 'JOIN #r'), (0, 'REHASH'), rec(3, 'x', VANISH), rec(3, 'NICK late', CONNECT),
        rec(2, '', EOF), rec(2, 'PASS secret', CONNECT), (2, 'NICK ok'), (2, 'USER ok 0 * :ok'), (2, 'JOIN #r'),
        rec(2, 'QUIT', EOF), rec(2, 'NICK nopass', CONNECT), (2, 'USER np 0 * :np'), rec(2, 'PASS wrong', CONNECT),
        (1, b'PRIVMSG #r :\xff\xfe not utf8'), (1, '@+typing=active;+draft/react=x TAGMSG #r'),
        *[(1, 'PRIVMSG #r :flood %d' % i) for i in range(8)], rec(1, 'x' * 3, CLOCK), (1, 'PING after'),
        rec(1, 'x', CLOCK), *[(2, 'NOTICE #r :' + 'n' * 300) for i in range(40)]),
    'ircv3': session(
        (3, 'CAP LS 302'), (3, 'NICK v3'), (3, 'USER v3 0 * :v3'),
        (3, 'CAP REQ :labeled-response batch message-tags server-time echo-message'),
        (3, 'CAP REQ :multi-prefix userhost-in-names extended-join away-notify account-notify invite-notify'),
        (3, 'CAP REQ :cap-notify chghost setname standard-replies draft/no-implicit-names -batch'),
        (3, 'CAP END'), (3, '@label=a1 JOIN #v3'), (0, 'JOIN #v3'), (3, '@label=a2 NAMES #v3'),
        (3, '@label=a3 WHO #v3'), (3, '@label=a4 PING x'), (3, '@label=a5 PRIVMSG #v3 :echo'),
        (3, '@label=a6;+draft/reply=1 TAGMSG #v3'), (3, 'CAP REQ batch'), (3, '@label=' + 'L' * 80 + ' WHOIS fz0'),
        (3, '@label=a7 MOTD'), (3, '@label= LUSERS'), (0, 'AWAY :away'), (3, 'SETNAME :new name'),
        (0, 'INVITE v3 #v3'), (3, '@label=a8 QUIT :bye')),
    'rehash-limits': session(
        (0, 'JOIN #a,#b,#c,#d,#e'), (0, 'MODE #a +bbb x y z'), (1, 'NICK aVeryLongNickNameOverNine'),
        (0, 'OPER fuzz pw'), (0, 'REHASH'), (0, 'JOIN #f'), (0, 'MODE #a +b w'), (0, 'TOPIC #a :' + 't' * 100),
        (1, 'NICK x'), (0, 'PRIVMSG fz1,fz2,fz0 :targets'), (2, 'AWAY :' + 'a' * 60), (0, 'WHOWAS fz1'), (0, 'LUSERS')),
    'long-lines': session(
        (0, 'PRIVMSG fz1 :' + 'x' * 505), (0, 'PRIVMSG fz1 :' + 'y' * 600),
        (0, '@' + 'a=' + 'b' * 4000 + ' PRIVMSG fz1 :tagged'), (0, 'z' * 2000, AMP),
        (0, 'PING :after'), (1, 'TOPIC #none :' + 'é' * 300), (0, 'JOIN #' + 'c' * 60)),
    'nul-and-junk': session(
        (0, 'PRIVMSG fz1 :a\x00b'), (0, '\x00'), (0, ''), (0, '   '), (0, ':prefix'), (0, ':p PRIVMSG fz1 :x'),
        (0, '@a;b=c\\:d;+e=\\ PRIVMSG fz1 :tags'), (0, '@ '), (0, 'privmsg fz1 lower'), (0, 'FOO bar'),
        (0, 'PRIVMSG fz1 :cr\rinside'), (0, b'PRIVMSG fz1 :\xff\xfe\xe2\x80'), (0, 'NICK :'), (0, 'a b c d e f g h i j k l m n o p q r s'),
        (1, 'PRIVMSG\tfz0 tab'), (0, 'USER x')),
    'sendq': session(
        rec(1, '', TOGGLE, nl=False) + b'\n', *[(0, 'PRIVMSG fz1 :' + 'q' * 400) for _ in range(30)],
        (0, 'LUSERS'), (1, 'PING x', TOGGLE), (0, 'WHOIS fz1')),
    'teardown': session(
        (0, 'JOIN #t'), (1, 'JOIN #t'), (2, 'JOIN #t'), rec(1, 'PRIVMSG #t :half a li', EOF, nl=False) + b'\n',
        rec(2, 'x', VANISH), (0, 'PRIVMSG #t :anyone'), rec(1, 'NICK back', CONNECT), (1, 'USER b 0 * :b'),
        (1, 'JOIN #t'), rec(2, '', CONNECT)),
    'pipeline-bytes': session(
        rec(0, 'JOIN #p', PIPE), rec(0, 'PRIVMSG #p :one', PIPE), (0, 'PART #p'),
        rec(1, 'JOIN #bytes', BYTES), rec(1, 'NICK split', BYTES)),
    'timers': session(
        rec(3, 'x' * 10, CLOCK), rec(1, 'x' * 20, CLOCK), (1, 'PONG :irc.fuzz.example'), rec(1, 'x' * 20, CLOCK),
        (0, 'OPER fuzz pw'), (0, 'KILL fz1 :hold'), (2, 'NICK fz1'), rec(0, 'x' * 5, CLOCK), (2, 'NICK fz1'),
        rec(2, 'x' * 20, CLOCK), rec(2, 'x', CLOCK)),
    'quit-in-channels': session(
        (0, 'JOIN #a,#b'), (1, 'JOIN #a,#b'), (2, 'JOIN #b'), (1, 'QUIT :gone'), (0, 'NICK renamed'),
        (2, 'NICK Renamed'), (2, 'NICK fz2'), (0, 'NICK FZ0'), (0, 'QUIT')),
    # server protocol (issue 10): client 3 links as link.fuzz.example (a hub
    # [link] of fz_config), then bursts and sends well- and ill-formed lines
    'link-burst': session(
        (3, 'PASS linkpw 0210-IRC+ fuzz|1:CL P'), (3, 'SERVER link.fuzz.example 1 :fuzz link'),
        (3, ':link.fuzz.example PONG irc.fuzz.example :irc.fuzz.example'),
        (3, ':link.fuzz.example SERVER leaf.fuzz.example 2 7 :leaf'),
        (3, ':link.fuzz.example NICK rem1 1 ~r 10.0.0.1 1 +i :Remote One'),
        (3, ':leaf.fuzz.example NICK rem2 2 ~r 10.0.0.2 7 +ow :Remote Two'),
        (3, ':link.fuzz.example CHANINFO #fuzz +ntkl key 5 :remote topic'),
        (3, ':link.fuzz.example NJOIN #fuzz :@rem1,+rem2,~rem1,%rem2'),
        (0, 'JOIN #fuzz key'), (3, ':rem1 PRIVMSG #fuzz :hello'), (3, ':rem2 NOTICE fz0 :hi'),
        (0, 'PRIVMSG rem1 :back'), (0, 'PRIVMSG #fuzz :to all'), (3, ':rem1 MODE #fuzz +o-v rem2 rem2'),
        (3, ':rem1 TOPIC #fuzz :new'), (3, ':rem1 KICK #fuzz fz0 :out'), (3, ':rem2 AWAY :gone'),
        (3, ':rem1 JOIN #two\x07ov'), (3, ':rem1 NICK rem3'), (3, ':rem2 PART #fuzz :bye'),
        (3, ':rem3 INVITE fz1 #fuzz'), (3, ':link.fuzz.example 401 fz0 x :No such nick'),
        (0, 'WHOIS rem3'), (0, 'WHO #fuzz'), (0, 'LUSERS'), (0, 'LINKS'),
        (3, ':link.fuzz.example KILL rem3 :gone'), (3, 'SQUIT leaf.fuzz.example :split'),
        (3, 'PING :link.fuzz.example'), (3, 'ERROR :closing')),
    'link-garbage': session(
        (3, 'PASS linkpw x'), (3, 'SERVER link.fuzz.example 1 :fuzz'),
        (3, 'NICK'), (3, ':link.fuzz.example NICK a 1 u h x + :r'), (3, ':nobody PRIVMSG #x :y'),
        (3, ':link.fuzz.example NJOIN #x :@,,+,@ghost'), (3, ':link.fuzz.example MODE #x +l x'),
        (3, ':link.fuzz.example NICK fz0 1 u h 1 + :collide'), (3, ':link.fuzz.example CHANINFO'),
        (3, ':link.fuzz.example SERVER irc.fuzz.example 2 3 :loop'), (3, 'SERVER'),
        (0, 'SQUIT link.fuzz.example :x'), (0, 'CONNECT link.fuzz.example')),
    # remote queries, MAP, STATS l, WALLOPS and numerics routed to remote
    # users (link/query.c), well- and ill-formed, both directions
    'link-query': session(
        (3, 'PASS linkpw 0210-IRC+ fuzz|1:CL P'), (3, 'SERVER link.fuzz.example 1 :fuzz link'),
        (3, ':link.fuzz.example PONG irc.fuzz.example :irc.fuzz.example'),
        (3, ':link.fuzz.example SERVER leaf.fuzz.example 2 7 :leaf'),
        (3, ':link.fuzz.example NICK rem1 1 ~r 10.0.0.1 1 +o :Remote One'),
        (3, ':rem1 VERSION irc.fuzz.example'), (3, ':rem1 WHOIS irc.fuzz.example :fz0'),
        (3, ':rem1 WHOIS fz0 :fz0'), (3, ':rem1 STATS l :irc.*'), (3, ':rem1 STATS'),
        (3, ':rem1 ADMIN leaf.fuzz.example'), (3, ':rem1 TIME nosuch.*'), (3, ':rem1 MOTD'),
        (3, ':rem1 LUSERS * :*'), (3, ':rem1 INFO :'), (3, ':link.fuzz.example VERSION x'),
        (3, ':rem1 WALLOPS :remote wallops'), (3, ':link.fuzz.example WALLOPS :server wallops'),
        (3, 'WALLOPS'), (3, ':leaf.fuzz.example 351 rem1 v leaf :x'),
        (3, ':leaf.fuzz.example 351 fz0 v leaf :x'), (3, ':leaf.fuzz.example 999'),
        (0, 'OPER fuzz pw'), (0, 'MODE fz0 +w'), (0, 'MAP'), (0, 'STATS l'), (0, 'STATS L link.*'),
        (0, 'VERSION leaf.fuzz.example'), (0, 'WHOIS rem1 rem1'), (0, 'WHOIS nosuch.example x'),
        (0, 'TIME *'), (0, 'WALLOPS :local'), (0, 'KILL rem1 :bye'), (0, 'WHOWAS rem1'),
        (1, 'MAP'), (1, 'STATS l'), (0, 'REHASH'), (3, 'SQUIT leaf.fuzz.example :split')),
}

PARSER = {
    'plain': b'PRIVMSG #chan :hello world',
    'prefix': b':nick!user@host PRIVMSG #chan :hi',
    'tags': b'@time=2020-01-01T00:00:00.000Z;+draft/reply=abc;msgid=x\\sy\\:z\\\\ :n!u@h PRIVMSG #c :t',
    'tags-escape': b'@a=\\;b=\\s;c=\\\\;d;=e;f= PING x',
    'fifteen': b'CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 :x y',
    'trailing-empty': b'TOPIC #c :',
    'spaces': b'   NICK    a   b   :c  d  ',
    'only-tags': b'@a=b',
    'only-prefix': b':prefix',
    'mode': b'MODE #c +ov-b+kl nick nick2 *!*@* key 10 extra',
    'mode-list': b'MODE #c +beI-beI a b c',
    'user': b'USER guest 0 * :Real Name',
    'join': b'JOIN #a,&b,+c,!ABCDEd,!!e key1,key2',
    'masks': b'WHO *!*@*.example ?ick\\*',
    'nicks': b'NICK [a]\\`_^{|}-1',
    'lower': b'privmsg target :x',
    'long-tags': b'@' + b'k=' + b'v' * 8200 + b' PING x',
    'high-bytes': b'PRIVMSG #c :\xc3\xa9\xff\xfe\x01\x07',
}


def write(kind, files):
    d = os.path.join(HERE, 'corpus', kind)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, 'seed-' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    write('server', SERVER)
    write('parser', PARSER)
    # Every server seed line is also a parser seed.
    lines = {}
    for name, data in SERVER.items():
        for i, part in enumerate(data.split(b'\n')):
            if len(part) > 2:
                lines['%s-%d' % (name, i)] = part[1:].rstrip(b'\r')
    write('parser', lines)
