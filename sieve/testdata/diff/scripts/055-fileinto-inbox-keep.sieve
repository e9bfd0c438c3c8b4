# keep plus fileinto "INBOX" stores once (SV-15)
require "fileinto"; keep; fileinto "INBOX";
