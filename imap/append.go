package imap

var appendCommands = map[string]commandSpec{}
