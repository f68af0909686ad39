/* numeric.h - IRC numeric replies, defined once with their RFC names.
 * Each NAME has a number and FMT_NAME, the printf format of everything after
 * "<client> " (Modern IRC "Numerics"; RFC 2812 §5). Use via the numeric()
 * macro in net/output.h so the compiler checks every reply's arguments.
 * Sorted by number. */
#ifndef EVIRCD_NUMERIC_H
#define EVIRCD_NUMERIC_H

#define RPL_WELCOME		  1
#define FMT_RPL_WELCOME		  ":Welcome to the %s Network, %s"
#define RPL_YOURHOST		  2
#define FMT_RPL_YOURHOST	  ":Your host is %s, running version %s"
#define RPL_CREATED		  3
#define FMT_RPL_CREATED		  ":This server was created %s"
#define RPL_MYINFO		  4
#define FMT_RPL_MYINFO		  "%s %s %s %s %s"
#define RPL_ISUPPORT		  5
#define FMT_RPL_ISUPPORT	  "%s :are supported by this server"
#define RPL_MAP			  15 /* Solanum, InspIRCd: one line of the MAP tree */
#define FMT_RPL_MAP		  ":%s"
#define RPL_MAPEND		  17
#define FMT_RPL_MAPEND		  ":End of /MAP"
#define RPL_STATSLINKINFO	  211
#define FMT_RPL_STATSLINKINFO	  "%s %zu %llu %llu %llu %llu %lld"
#define RPL_STATSCOMMANDS	  212
#define FMT_RPL_STATSCOMMANDS	  "%s %lu %lu 0"
#define RPL_STATSKLINE		  216
#define FMT_RPL_STATSKLINE	  "K %s * * :%s"
#define RPL_ENDOFSTATS		  219
#define FMT_RPL_ENDOFSTATS	  "%s :End of /STATS report"
#define RPL_UMODEIS		  221
#define FMT_RPL_UMODEIS		  "%s"
#define RPL_STATSDLINE		  225
#define FMT_RPL_STATSDLINE	  "D %s :%s"
#define RPL_STATSUPTIME		  242
#define FMT_RPL_STATSUPTIME	  ":Server Up %ld days %ld:%02ld:%02ld"
#define RPL_STATSOLINE		  243
#define FMT_RPL_STATSOLINE	  "O %s * %s"
#define RPL_LUSERCLIENT		  251
#define FMT_RPL_LUSERCLIENT	  ":There are %u users and %u invisible on %u servers"
#define RPL_LUSEROP		  252
#define FMT_RPL_LUSEROP		  "%u :operator(s) online"
#define RPL_LUSERUNKNOWN	  253
#define FMT_RPL_LUSERUNKNOWN	  "%u :unknown connection(s)"
#define RPL_LUSERCHANNELS	  254
#define FMT_RPL_LUSERCHANNELS	  "%u :channels formed"
#define RPL_LUSERME		  255
#define FMT_RPL_LUSERME		  ":I have %u clients and %u servers"
#define RPL_ADMINME		  256
#define FMT_RPL_ADMINME		  "%s :Administrative info"
#define RPL_ADMINLOC1		  257
#define FMT_RPL_ADMINLOC1	  ":%s"
#define RPL_ADMINLOC2		  258
#define FMT_RPL_ADMINLOC2	  ":%s"
#define RPL_ADMINEMAIL		  259
#define FMT_RPL_ADMINEMAIL	  ":%s"
#define RPL_TRYAGAIN		  263
#define FMT_RPL_TRYAGAIN	  "%s :Please wait a while and try again."
#define RPL_LOCALUSERS		  265
#define FMT_RPL_LOCALUSERS	  "%u %u :Current local users %u, max %u"
#define RPL_GLOBALUSERS		  266
#define FMT_RPL_GLOBALUSERS	  "%u %u :Current global users %u, max %u"
#define RPL_WHOISCERTFP		  276
#define FMT_RPL_WHOISCERTFP	  "%s :has client certificate fingerprint %s"
#define RPL_AWAY		  301
#define FMT_RPL_AWAY		  "%s :%s"
#define RPL_USERHOST		  302
#define FMT_RPL_USERHOST	  ":%s"
#define RPL_ISON		  303
#define FMT_RPL_ISON		  ":%s"
#define RPL_UNAWAY		  305
#define FMT_RPL_UNAWAY		  ":You are no longer marked as being away"
#define RPL_NOWAWAY		  306
#define FMT_RPL_NOWAWAY		  ":You have been marked as being away"
#define RPL_WHOISUSER		  311
#define FMT_RPL_WHOISUSER	  "%s %s %s * :%s"
#define RPL_WHOISSERVER		  312
#define FMT_RPL_WHOISSERVER	  "%s %s :%s"
#define RPL_WHOISOPERATOR	  313
#define FMT_RPL_WHOISOPERATOR	  "%s :is an IRC operator"
#define RPL_WHOWASUSER		  314
#define FMT_RPL_WHOWASUSER	  "%s %s %s * :%s"
#define RPL_ENDOFWHO		  315
#define FMT_RPL_ENDOFWHO	  "%s :End of WHO list"
#define RPL_WHOISIDLE		  317
#define FMT_RPL_WHOISIDLE	  "%s %ld %ld :seconds idle, signon time"
#define RPL_ENDOFWHOIS		  318
#define FMT_RPL_ENDOFWHOIS	  "%s :End of /WHOIS list"
#define RPL_WHOISCHANNELS	  319
#define FMT_RPL_WHOISCHANNELS	  "%s :%s"
#define RPL_LISTSTART		  321
#define FMT_RPL_LISTSTART	  "Channel :Users  Name"
#define RPL_LIST		  322
#define FMT_RPL_LIST		  "%s %u :%s"
#define RPL_LISTEND		  323
#define FMT_RPL_LISTEND		  ":End of /LIST"
#define RPL_CHANNELMODEIS	  324
#define FMT_RPL_CHANNELMODEIS	  "%s %s"
#define RPL_UNIQOPIS		  325
#define FMT_RPL_UNIQOPIS	  "%s %s"
#define RPL_CREATIONTIME	  329
#define FMT_RPL_CREATIONTIME	  "%s %lld"
#define RPL_WHOISACCOUNT	  330 /* Solanum/InspIRCd: "<nick> <account> :is logged in as" */
#define FMT_RPL_WHOISACCOUNT	  "%s %s :is logged in as"
#define RPL_NOTOPIC		  331
#define FMT_RPL_NOTOPIC		  "%s :No topic is set"
#define RPL_TOPIC		  332
#define FMT_RPL_TOPIC		  "%s :%s"
#define RPL_TOPICWHOTIME	  333
#define FMT_RPL_TOPICWHOTIME	  "%s %s %lld"
#define RPL_WHOISBOT		  335
#define FMT_RPL_WHOISBOT	  "%s :is a bot on %s"
#define RPL_INVITELIST		  336 /* Modern IRC: INVITE without parameters */
#define FMT_RPL_INVITELIST	  "%s"
#define RPL_ENDOFINVITELIST	  337
#define FMT_RPL_ENDOFINVITELIST	  ":End of /INVITE list"
#define RPL_INVITING		  341
#define FMT_RPL_INVITING	  "%s %s"
#define RPL_INVEXLIST		  346
#define FMT_RPL_INVEXLIST	  "%s %s %s %lld"
#define RPL_ENDOFINVEXLIST	  347
#define FMT_RPL_ENDOFINVEXLIST	  "%s :End of channel invite list"
#define RPL_EXCEPTLIST		  348
#define FMT_RPL_EXCEPTLIST	  "%s %s %s %lld"
#define RPL_ENDOFEXCEPTLIST	  349
#define FMT_RPL_ENDOFEXCEPTLIST	  "%s :End of channel exception list"
#define RPL_VERSION		  351
#define FMT_RPL_VERSION		  "evircd-%s %s :%s"
#define RPL_WHOREPLY		  352
#define FMT_RPL_WHOREPLY	  "%s %s %s %s %s %s :%u %s"
#define RPL_NAMREPLY		  353
#define FMT_RPL_NAMREPLY	  "%c %s :%s"
#define RPL_WHOSPCRPL		  354
#define FMT_RPL_WHOSPCRPL	  "%s"
#define RPL_LINKS		  364
#define FMT_RPL_LINKS		  "%s %s :%u %s"
#define RPL_ENDOFLINKS		  365
#define FMT_RPL_ENDOFLINKS	  "%s :End of /LINKS list"
#define RPL_ENDOFNAMES		  366
#define FMT_RPL_ENDOFNAMES	  "%s :End of /NAMES list"
#define RPL_BANLIST		  367
#define FMT_RPL_BANLIST		  "%s %s %s %lld"
#define RPL_ENDOFBANLIST	  368
#define FMT_RPL_ENDOFBANLIST	  "%s :End of channel ban list"
#define RPL_ENDOFWHOWAS		  369
#define FMT_RPL_ENDOFWHOWAS	  "%s :End of WHOWAS"
#define RPL_INFO		  371
#define FMT_RPL_INFO		  ":%s"
#define RPL_MOTD		  372
#define FMT_RPL_MOTD		  ":- %s"
#define RPL_ENDOFINFO		  374
#define FMT_RPL_ENDOFINFO	  ":End of INFO list"
#define RPL_MOTDSTART		  375
#define FMT_RPL_MOTDSTART	  ":- %s Message of the day - "
#define RPL_ENDOFMOTD		  376
#define FMT_RPL_ENDOFMOTD	  ":End of /MOTD command."
#define RPL_YOUREOPER		  381
#define FMT_RPL_YOUREOPER	  ":You are now an IRC operator"
#define RPL_REHASHING		  382
#define FMT_RPL_REHASHING	  "%s :Rehashing"
#define RPL_TIME		  391
#define FMT_RPL_TIME		  "%s %lld 0 :%s"
#define ERR_UNKNOWNERROR	  400
#define FMT_ERR_UNKNOWNERROR	  "%s :%s"
#define ERR_NOSUCHNICK		  401
#define FMT_ERR_NOSUCHNICK	  "%s :No such nick/channel"
#define ERR_NOSUCHSERVER	  402
#define FMT_ERR_NOSUCHSERVER	  "%s :No such server"
#define ERR_NOSUCHCHANNEL	  403
#define FMT_ERR_NOSUCHCHANNEL	  "%s :No such channel"
#define ERR_CANNOTSENDTOCHAN	  404
#define FMT_ERR_CANNOTSENDTOCHAN  "%s :Cannot send to channel"
#define ERR_TOOMANYCHANNELS	  405
#define FMT_ERR_TOOMANYCHANNELS	  "%s :You have joined too many channels"
#define ERR_WASNOSUCHNICK	  406
#define FMT_ERR_WASNOSUCHNICK	  "%s :There was no such nickname"
#define ERR_TOOMANYTARGETS	  407
#define FMT_ERR_TOOMANYTARGETS	  "%s :Too many targets"
#define ERR_NOORIGIN		  409
#define FMT_ERR_NOORIGIN	  ":No origin specified"
#define ERR_INVALIDCAPCMD	  410
#define FMT_ERR_INVALIDCAPCMD	  "%s :Invalid CAP command"
#define ERR_NORECIPIENT		  411
#define FMT_ERR_NORECIPIENT	  ":No recipient given (%s)"
#define ERR_NOTEXTTOSEND	  412
#define FMT_ERR_NOTEXTTOSEND	  ":No text to send"
#define ERR_INPUTTOOLONG	  417
#define FMT_ERR_INPUTTOOLONG	  ":Input line was too long"
#define ERR_UNKNOWNCOMMAND	  421
#define FMT_ERR_UNKNOWNCOMMAND	  "%s :Unknown command"
#define ERR_NOMOTD		  422
#define FMT_ERR_NOMOTD		  ":MOTD File is missing"
#define ERR_NONICKNAMEGIVEN	  431
#define FMT_ERR_NONICKNAMEGIVEN	  ":No nickname given"
#define ERR_ERRONEUSNICKNAME	  432
#define FMT_ERR_ERRONEUSNICKNAME  "%s :Erroneous nickname"
#define ERR_NICKNAMEINUSE	  433
#define FMT_ERR_NICKNAMEINUSE	  "%s :Nickname is already in use"
#define ERR_UNAVAILRESOURCE	  437
#define FMT_ERR_UNAVAILRESOURCE	  "%s :Nick/channel is temporarily unavailable"
#define ERR_USERNOTINCHANNEL	  441
#define FMT_ERR_USERNOTINCHANNEL  "%s %s :They aren't on that channel"
#define ERR_NOTONCHANNEL	  442
#define FMT_ERR_NOTONCHANNEL	  "%s :You're not on that channel"
#define ERR_USERONCHANNEL	  443
#define FMT_ERR_USERONCHANNEL	  "%s %s :is already on channel"
#define ERR_SUMMONDISABLED	  445
#define FMT_ERR_SUMMONDISABLED	  ":SUMMON has been disabled"
#define ERR_USERSDISABLED	  446
#define FMT_ERR_USERSDISABLED	  ":USERS has been disabled"
#define ERR_NOTREGISTERED	  451
#define FMT_ERR_NOTREGISTERED	  ":You have not registered"
#define ERR_NEEDMOREPARAMS	  461
#define FMT_ERR_NEEDMOREPARAMS	  "%s :Not enough parameters"
#define ERR_ALREADYREGISTERED	  462
#define FMT_ERR_ALREADYREGISTERED ":You may not reregister"
#define ERR_PASSWDMISMATCH	  464
#define FMT_ERR_PASSWDMISMATCH	  ":Password incorrect"
#define ERR_YOUREBANNEDCREEP	  465
#define FMT_ERR_YOUREBANNEDCREEP  ":You are banned from this server"
#define ERR_KEYSET		  467
#define FMT_ERR_KEYSET		  "%s :Channel key already set"
#define ERR_CHANNELISFULL	  471
#define FMT_ERR_CHANNELISFULL	  "%s :Cannot join channel (+l)"
#define ERR_UNKNOWNMODE		  472
#define FMT_ERR_UNKNOWNMODE	  "%c :is unknown mode char to me"
#define ERR_INVITEONLYCHAN	  473
#define FMT_ERR_INVITEONLYCHAN	  "%s :Cannot join channel (+i)"
#define ERR_BANNEDFROMCHAN	  474
#define FMT_ERR_BANNEDFROMCHAN	  "%s :Cannot join channel (+b)"
#define ERR_BADCHANNELKEY	  475
#define FMT_ERR_BADCHANNELKEY	  "%s :Cannot join channel (+k)"
#define ERR_BADCHANMASK		  476
#define FMT_ERR_BADCHANMASK	  "%s :Bad Channel Mask"
#define ERR_NOCHANMODES		  477
#define FMT_ERR_NOCHANMODES	  "%s :Channel doesn't support modes"
/* 477 is ERR_NEEDREGGEDNICK too (InspIRCd services_account, Solanum,
 * Ergo): a +R channel refused a JOIN, a +M one a message; the text says
 * which. */
#define ERR_NEEDREGGEDNICK	  ERR_NOCHANMODES
#define FMT_ERR_NEEDREGGEDNICK	  "%s :%s"
#define ERR_BANLISTFULL		  478
#define FMT_ERR_BANLISTFULL	  "%s %c :Channel list is full"
#define ERR_NOPRIVILEGES	  481
#define FMT_ERR_NOPRIVILEGES	  ":Permission Denied- You're not an IRC operator"
#define ERR_CHANOPRIVSNEEDED	  482
#define FMT_ERR_CHANOPRIVSNEEDED  "%s :You're not channel operator"
#define ERR_CANTKILLSERVER	  483
#define FMT_ERR_CANTKILLSERVER	  ":You cant kill a server!"
#define ERR_UNIQOPPRIVSNEEDED	  485
#define FMT_ERR_UNIQOPPRIVSNEEDED ":You're not the original channel operator"
#define ERR_NOOPERHOST		  491
#define FMT_ERR_NOOPERHOST	  ":No O-lines for your host"
#define ERR_UMODEUNKNOWNFLAG	  501
#define FMT_ERR_UMODEUNKNOWNFLAG  ":Unknown MODE flag"
#define ERR_USERSDONTMATCH	  502
#define FMT_ERR_USERSDONTMATCH	  ":Cant change mode for other users"
#define ERR_HELPNOTFOUND	  524
#define FMT_ERR_HELPNOTFOUND	  "%s :No help available on this topic"
#define ERR_INVALIDKEY		  525
#define FMT_ERR_INVALIDKEY	  "%s :Key is not well-formed"
#define RPL_WHOISSECURE		  671
#define FMT_RPL_WHOISSECURE	  "%s :is using a secure connection"
#define ERR_INVALIDMODEPARAM	  696
#define FMT_ERR_INVALIDMODEPARAM  "%s %c %s :%s"
#define RPL_HELPSTART		  704 /* Modern IRC "HELP message" */
#define FMT_RPL_HELPSTART	  "%s :%s"
#define RPL_HELPTXT		  705
#define FMT_RPL_HELPTXT		  "%s :%s"
#define RPL_ENDOFHELP		  706
#define FMT_RPL_ENDOFHELP	  "%s :End of /HELP"
#define RPL_KNOCK		  710
#define FMT_RPL_KNOCK		  "%s %s :%s"
#define RPL_KNOCKDLVR		  711
#define FMT_RPL_KNOCKDLVR	  "%s :Your KNOCK has been delivered."
#define ERR_TOOMANYKNOCK	  712
#define FMT_ERR_TOOMANYKNOCK	  "%s :Too many KNOCKs (channel)."
#define ERR_CHANOPEN		  713
#define FMT_ERR_CHANOPEN	  "%s :Channel is open."
#define ERR_KNOCKONCHAN		  714
#define FMT_ERR_KNOCKONCHAN	  "%s :You are already on that channel."
#define RPL_MONONLINE		  730
#define FMT_RPL_MONONLINE	  ":%s"
#define RPL_MONOFFLINE		  731
#define FMT_RPL_MONOFFLINE	  ":%s"
#define RPL_MONLIST		  732
#define FMT_RPL_MONLIST		  ":%s"
#define RPL_ENDOFMONLIST	  733
#define FMT_RPL_ENDOFMONLIST	  ":End of MONITOR list"
#define ERR_MONLISTFULL		  734
#define FMT_ERR_MONLISTFULL	  "%d %s :Monitor list is full."
/* IRCv3 draft/metadata-3 (ircv3-specifications PR 613, docs/METADATA.md) */
#define RPL_KEYVALUE		  761
#define FMT_RPL_KEYVALUE	  "%s %s %s :%s"
#define RPL_KEYNOTSET		  766
#define FMT_RPL_KEYNOTSET	  "%s %s :key not set"
#define RPL_METADATASUBOK	  770
#define FMT_RPL_METADATASUBOK	  ":%s"
#define RPL_METADATAUNSUBOK	  771
#define FMT_RPL_METADATAUNSUBOK	  ":%s"
#define RPL_METADATASUBS	  772
#define FMT_RPL_METADATASUBS	  ":%s"
#define ERR_METADATASYNCLATER	  774
#define FMT_ERR_METADATASYNCLATER "%s %u"
/* SASL (ircv3.net/specs/extensions/sasl-3.1, Modern IRC "RPL_LOGGEDIN" ...) */
#define RPL_LOGGEDIN		  900
#define FMT_RPL_LOGGEDIN	  "%s %s :You are now logged in as %s"
#define RPL_LOGGEDOUT		  901
#define FMT_RPL_LOGGEDOUT	  "%s :You are now logged out"
#define ERR_NICKLOCKED		  902
#define FMT_ERR_NICKLOCKED	  ":You must use a nick assigned to you"
#define RPL_SASLSUCCESS		  903
#define FMT_RPL_SASLSUCCESS	  ":SASL authentication successful"
#define ERR_SASLFAIL		  904
#define FMT_ERR_SASLFAIL	  ":SASL authentication failed"
#define ERR_SASLTOOLONG		  905
#define FMT_ERR_SASLTOOLONG	  ":SASL message too long"
#define ERR_SASLABORTED		  906
#define FMT_ERR_SASLABORTED	  ":SASL authentication aborted"
#define ERR_SASLALREADY		  907
#define FMT_ERR_SASLALREADY	  ":You have already authenticated using SASL"
#define RPL_SASLMECHS		  908
#define FMT_RPL_SASLMECHS	  "%s :are available SASL mechanisms"

#endif
