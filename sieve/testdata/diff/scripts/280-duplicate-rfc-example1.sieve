# RFC 7352 §6.1 (example 1): duplicate on the Message-ID, fileinto :create on a duplicate
require ["duplicate", "fileinto", "mailbox"];

if duplicate {
  fileinto :create "Trash/Duplicate";
}
