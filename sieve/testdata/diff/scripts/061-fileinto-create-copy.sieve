# fileinto :create :copy (SV-54, SV-55)
require ["fileinto", "mailbox", "copy"]; fileinto :copy :create "New";
