# mailboxexists: INBOX always exists, an unknown mailbox does not (RFC 5490 §3.1). SV-55
require ["mailbox", "fileinto", "copy"];
if mailboxexists "INBOX" { fileinto :copy "inbox-exists"; }
if mailboxexists ["INBOX", "No/Such/Box"] { fileinto :copy "both-exist"; }
