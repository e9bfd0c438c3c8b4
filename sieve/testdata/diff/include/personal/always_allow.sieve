# RFC 6609 §3.2 example: personal script "always_allow"
if header :is "From" "boss@example.com"
{
    keep;
}
elsif header :is "From" "ceo@example.com"
{
    keep;
}
