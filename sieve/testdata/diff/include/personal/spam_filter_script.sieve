# RFC 6609 §3.4.1 example: spam_filter_script (variable names spelled with "_": they must be identifiers)
require ["variables", "include"];
global ["test", "test_mailbox"];

if header :contains "Subject" "${test}"
{
    set "test_mailbox" "spam-${test}";
}
