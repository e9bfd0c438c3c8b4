# include: RFC 6609 §3.2 example, include inside a control structure
require ["include"];

if anyof (header :contains "Subject" "$$",
          header :contains "Subject" "Make money")
{
    include "my_reject_script";
}
