package imap

var searchCommands = map[string]commandSpec{}
