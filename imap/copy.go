package imap

var copyCommands = map[string]commandSpec{}
