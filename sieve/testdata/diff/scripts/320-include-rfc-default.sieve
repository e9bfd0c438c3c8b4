# include: RFC 6609 §3.2 example "default" script, personal and global includes
require ["include"];

include :personal "always_allow";
include :global "spam_tests";
include :personal "spam_tests";
include :personal "mailing_lists";
