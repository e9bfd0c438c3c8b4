# RFC 6609 §3.2 example: site script "spam_tests"
require ["reject"];

if anyof (header :contains "Subject" "$$",
          header :contains "Subject" "Make money")
{
    reject "Site spam filter";
}
