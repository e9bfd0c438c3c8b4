# fileinto the same mailbox twice is one store (SV-15)
require "fileinto"; fileinto "Work"; fileinto "Work"; fileinto "Other";
