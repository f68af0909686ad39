#!/usr/bin/env python3
"""gen_link_corpus.py - write the hand-made seed inputs of tests/fuzz/corpus/link/.

Seeds are fuzz_link.c inputs: records of a control byte and a line. A byte
below 0xC0 (here '>') sends the line from the hub link (slot 0); 0xC0|slot
sends it from slot 1 (the leaf link) or the local clients fz2, fz3; the
special actions (0xE0 pipeline, 0xE4 clock, 0xEC close, 0xF4 reconnect,
0xFC amplify) are documented at the top of fuzz_link.c. Every input starts
from the state fuzz_link.c sets up (hub with deep.fuzz.example behind it,
users r1, r2, channel #fz; local fz2, fz3). Run from anywhere:
    python3 tests/fuzz/gen_link_corpus.py"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
HUB, LEAF, ME = 'hub.fuzz.example', 'leaf.fuzz.example', 'irc.fuzz.example'
PIPE, CLOCK, CLOSE, CONNECT, AMP = 0xE0, 0xE4, 0xEC, 0xF4, 0xFC


def rec(slot, line, op=None):
    if op is not None:
        ctl = op | slot
    elif slot == 0:
        ctl = ord('>')
    else:
        ctl = 0xC0 | slot
    return bytes([ctl]) + line.encode('latin-1') + b'\r\n'


def session(*recs):
    return b''.join(rec(*r) for r in recs)


def hub(*lines):
    return [(0, ln) for ln in lines]


SEEDS = {
    'intro-and-changes': session(*hub(
        f':{HUB} NICK r3 1 ~r3 h3.example 1 +iwB :Three',
        ':r3 JOIN #fz\x07o,#new\x07v,&bad',
        ':r3 MODE r3 +o-i',
        ':r3 NICK r3new',
        ':r3new AWAY :gone',
        ':r3new AWAY',
        ':r3new PART #new :bye',
        ':r3new JOIN 0',
        ':r3new QUIT :done')),
    'channel-state': session(*hub(
        f':{HUB} CHANINFO #c2 +ntkl key 5 :a topic',
        f':{HUB} NJOIN #c2 :@r1,+r2',
        f':{HUB} CHANINFO #c2 +s',
        ':r1 MODE #c2 +bIe-o *!*@bad *!*@inv *!*@ex r2',
        ':r1 MODE #c2 -k+l key 2',
        ':r1 TOPIC #c2 :new topic',
        f':{HUB} TOPIC #c2 :',
        ':r1 KICK #c2 r2 :out',
        ':r1 KICK #fz fz2,fz3 :both',
        ':r1 INVITE fz2 #c2',
        f':{HUB} MODE #fz +v fz3')),
    'messages': session(*hub(
        ':r1 PRIVMSG #fz :hello',
        ':r1 NOTICE @#fz :ops',
        ':r2 PRIVMSG +#fz :voices',
        ':r1 PRIVMSG fz2 :private',
        ':r1 PRIVMSG r2 :back to its own link',
        ':r1 PRIVMSG &loc :local',
        ':r1!~r1@r1.example PRIVMSG fz3 :with a full prefix',
        f':{HUB} 401 fz2 nobody :No such nick',
        f':{HUB} NOTICE fz2 :server notice')) + session((2, 'PRIVMSG r1 :to remote'),
                                                        (3, 'PRIVMSG #fz :to channel')),
    'collisions': session(*hub(
        f':{HUB} NICK fz2 1 ~x x.example 1 + :Collides with a local',
        f':{HUB} NICK r4 1 ~r4 h.example 1 + :Four',
        ':r4 NICK r1',
        f':{HUB} NICK r2 1 ~r r.example 1 + :again')) + session(
        (1, f':{LEAF} NICK r1 1 ~r r.example 1 + :from the leaf')),
    'kill-and-holds': session(*hub(
        f':{HUB} KILL fz2 :{HUB} (bad)',
        ':r1 KILL r2 :by a user',
        f':{HUB} KILL nobody :x')) + session((3, 'NICK fz2'), (3, 'KILL r1 :oper kill'),
                                             (2, 'NICK r1', CONNECT), (3, 'NICK r1', CLOCK),
                                             (3, 'NICK fz2')),
    'netsplit-and-return': session(
        (0, f':{HUB} SERVER deeper.fuzz.example 3 9 :deeper'),
        (0, f':{HUB} NICK r9 3 ~r9 h9.example 9 + :Nine'),
        (0, ':r9 JOIN #split'),
        (0, f'SQUIT deeper.fuzz.example :gone', ),
        (3, 'JOIN #split'),
        (0, 'ERROR :bye', CLOSE),
        (3, 'JOIN #fz,#split'),
        (3, 'NICK r1'),
        (0, f':{HUB} PING :{HUB}', CONNECT),
        (0, f':{HUB} NICK r1 1 ~r1 r1.example 1 + :back'),
        (0, f':{HUB} NJOIN #fz :@r1'),
        (3, 'JOIN #fz'),
        (3, 'PING :x', CLOCK)),
    'servers': session(*hub(
        f':{HUB} SERVER s1.fuzz.example 1 11 :hops one',
        ':s1.fuzz.example SERVER s2.fuzz.example 5 12 :behind s1',
        f':s2.fuzz.example NICK r12 2 ~u h.example 12 + :On s2',
        f':{HUB} SERVER {ME} 2 13 :ourselves',
        f'SQUIT s1.fuzz.example :split it',
        f':{HUB} SQUIT {HUB} :self')) + session(
        (1, f':{LEAF} SERVER x.fuzz.example 2 3 :not a hub')),
    'leaf-burst': session(
        (1, f':{LEAF} NICK l1 1 ~l l.example 1 +i :Leaf one'),
        (1, f':{LEAF} CHANINFO #fz +m :other topic'),
        (1, f':{LEAF} NJOIN #fz :@l1'),
        (1, f':{LEAF} NJOIN !ABCDEsafe :@l1'),
        (1, f':{LEAF} PONG {ME} :{ME}'),
        (1, ':l1 PRIVMSG #fz :from the leaf'),
        (1, ':r1 PRIVMSG #fz :wrong direction'),
        (1, f':{LEAF} METADATA l1 accountname :acct')),
    'garbage': session(*hub(
        'NICK', ':nobody NICK x', f':{HUB} NICK x 1 u h notanumber + :r',
        f':{HUB} NICK y 999 u h 1 + :r', f':{HUB} NICK 1bad 1 u h 1 + :r',
        f':{HUB} NJOIN', f':{HUB} NJOIN #fz :,,@,+,~&%', f':{HUB} CHANINFO',
        f':{HUB} MODE #fz +l notanumber', f':{HUB} MODE #fz +k', f':{HUB} MODE',
        f':{HUB} JOIN', ':r1 JOIN', ':r1 PART', ':r1 KICK #fz', 'SQUIT', 'SERVER',
        f':{HUB} 0', f':{HUB} 999', 'PONG', 'PING', ':r1 TOPIC', ':r1 INVITE fz2',
        ':r1 PRIVMSG #' + 'x' * 300 + ' :long', ':r1 MODE r1 +' + 'o' * 50)),
    # the hub is an evircd peer with the tag dialect (IRC+ T) and METADATA
    # (M): msgid/time kept or replaced, client tags, TAGMSG, METADATA keys
    'tags-and-metadata': session(*hub(
        '@msgid=abc-1;time=2020-01-02T03:04:05.678Z;+x=y :r1 PRIVMSG #fz :tagged',
        '@msgid=bad\\sid;time=2020-13-99T99:99:99.999Z :r1 PRIVMSG #fz :bad tags',
        '@msgid=;time= :r2 NOTICE fz2 :empty tags',
        '@+typing=active :r1 TAGMSG #fz',
        '@+typing=done :r1 TAGMSG fz2',
        '@time=2020-01-02T03:04:05.678Z :r1 TOPIC #fz :timed topic',
        '@time=2020-01-02T03:04:05.678Z :r1 NICK r9',
        f':{HUB} METADATA r9 accountname :acct9',
        f':{HUB} METADATA fz2 accountname :fzacct',
        f':{HUB} METADATA r2 host :new.host.example',
        f':{HUB} METADATA r2 user :newuser',
        f':{HUB} METADATA r2 info :New Real Name',
        f':{HUB} METADATA r2 certfp :00aabbccdd',
        f':{HUB} METADATA r2 cloakhost :',
        f':{HUB} METADATA r2 unknownkey :passes',
        f':{HUB} METADATA r2 accountname :bad;acct',
        f':{HUB} METADATA nosuch accountname :x',
        f':{HUB} METADATA r9 accountname :',
        '@time=2020-01-02T03:04:05.678Z :r9 PART #fz :timed part')),
    'amplified': session(
        (0, ':r1 PRIVMSG #fz :' + 'y' * 60, AMP),
        (0, f':{HUB} NICK a 1 ~a h 1 + :a', PIPE),
        (0, ':a JOIN #fz', PIPE),
        (0, ':a QUIT :x')),
}


def main():
    out = os.path.join(HERE, 'corpus', 'link')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
