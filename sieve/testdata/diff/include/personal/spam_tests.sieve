# RFC 6609 §3.2 example: personal script "spam_tests"
require ["reject"];

if header :contains "Subject" "XXXX"
{
    reject "Subject has XXXX";
}
elsif header :is "From" "money@example.com"
{
    reject "Not from money";
}
