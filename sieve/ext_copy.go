package sieve

// extCopy is :copy for fileinto and redirect (RFC 3894): the action does
// not cancel the implicit keep. spec: SV-54
var extCopy = extension{
	name: "copy",
	tags: []extraTags{{to: []string{"fileinto", "redirect"}, tags: []tagSpec{{name: "copy"}}}},
}
