# fileinto :create (SV-55)
require ["fileinto", "mailbox"]; fileinto :create "New/Folder";
