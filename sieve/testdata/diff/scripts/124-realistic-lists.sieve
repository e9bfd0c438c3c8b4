# a realistic list filter: variables, address, header, stop (SV-03, SV-46, SV-48)
require ["fileinto", "variables", "imap4flags"];
if header :matches "list-id" "*<*.lists.example.org>" {
  fileinto "Lists/${2}";
  stop;
}
if address :domain :is "from" "example.org" { addflag "\\Flagged"; keep; stop; }
discard;
