package imap

// messageCommands are the commands on the messages of the selected
// mailbox; each family keeps its rows in its own file.
var messageCommands = mergeCommands(
	fetchCommands,
	storeCommands,
	copyCommands,
	expungeCommands,
	appendCommands,
	searchCommands,
)
