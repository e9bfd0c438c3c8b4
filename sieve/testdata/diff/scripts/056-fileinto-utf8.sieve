# fileinto takes a UTF-8 mailbox name with hierarchy (SV-16)
require "fileinto"; fileinto "Archiv/Grüße";
