package imap

var storeCommands = map[string]commandSpec{}
