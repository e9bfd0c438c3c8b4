# URI header fields: to/cc recipients, first subject/body/reply-to win, unsafe ones ignored (NA-44, NA-45, NA-46)
require ["enotify"];
notify "mailto:%22Al%22%20%3Ca@example.org%3E%2Cb@example.org?cc=c@example.org&to=d@example.org&cc=b@example.org&subject=S%20x&subject=second&X-Foo=bar&reply-to=x@example.org&reply-to=y@example.org&from=evil@example.net&auto-submitted=no&received=x&message-id=%3Cx@y%3E&bcc=hidden@example.org&sender=s@example.org&body=line1%0D%0Aline2&body=second";
