# RFC 6609 §3.2 example: personal script "mailing_lists" (plus a branch for list.eml)
require ["fileinto"];

if header :is "Sender" "owner-ietf-mta-filters@imc.org"
{
    fileinto "lists.sieve";
}
elsif header :is "Sender" "owner-ietf-imapext@imc.org"
{
    fileinto "lists.imapext";
}
elsif header :is "Sender" "zest-dev-bounces@lists.example.org"
{
    fileinto "lists.zest";
}
