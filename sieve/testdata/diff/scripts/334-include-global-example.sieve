# include: the RFC 6609 §3.4.1 example of global variables (string :count needs relational)
require ["variables", "include", "fileinto", "relational"];
global "test";
global "test_mailbox";

set "test" "$$";
include "spam_filter_script";

set "test" "Make money";
include "spam_filter_script";

if string :count "eq" "${test_mailbox}" "1"
{
    fileinto "INBOX.${test_mailbox}";
    stop;
}
