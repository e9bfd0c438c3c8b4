# fileinto :copy then plain fileinto of the same mailbox (SV-14, SV-15, SV-54)
require ["fileinto", "copy"]; fileinto :copy "Work"; fileinto "Work";
