package imap

var expungeCommands = map[string]commandSpec{}
