package imap

var fetchCommands = map[string]commandSpec{}
